"""missions remember that their feed was switched off

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 00:10:00

A revoked feed used to come back on its own: the next invitation made a new token.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('missions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feed_revoked_at', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('missions', schema=None) as batch_op:
        batch_op.drop_column('feed_revoked_at')
