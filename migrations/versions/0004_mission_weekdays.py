"""missions: preferred and avoided weekdays

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 00:18:36.867487

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    # Existing missions start with no preference: the server default fills their rows.
    with op.batch_alter_table('missions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preferred_weekdays', sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('avoided_weekdays', sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))


def downgrade():
    with op.batch_alter_table('missions', schema=None) as batch_op:
        batch_op.drop_column('avoided_weekdays')
        batch_op.drop_column('preferred_weekdays')
