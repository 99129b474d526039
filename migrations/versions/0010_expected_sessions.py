"""expected UPR sessions (forecast by the rotation) and reviews moved between sessions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 10:00:00

- upr_sessions.status gains "expected"; upr_sessions.forecast_from names the session of
  the cycle before whose states an expected session repeats;
- reviews.moved_from_session keeps where a deferred review came from.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

OLD = "status IN ('scheduled', 'postponed', 'held')"
NEW = "status IN ('expected', 'scheduled', 'postponed', 'held')"


def upgrade():
    with op.batch_alter_table('upr_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_upr_sessions_status'), type_='check')
        batch_op.create_check_constraint('status', NEW)
        batch_op.add_column(sa.Column('forecast_from', sa.Integer(), nullable=True))
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('moved_from_session', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_column('moved_from_session')
    op.execute("DELETE FROM upr_sessions WHERE status = 'expected'")
    with op.batch_alter_table('upr_sessions', schema=None) as batch_op:
        batch_op.drop_column('forecast_from')
        batch_op.drop_constraint(op.f('ck_upr_sessions_status'), type_='check')
        batch_op.create_check_constraint('status', OLD)
