"""the planner's reasons in every written language

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 07:00:00

- proposals.reasons_by_language: the reasons of a proposal in French, Spanish and Arabic
  beside the English ones in `reasons` ({"fr": [...], "es": [...], "ar": [...]}, line for
  line), issue 15 point 1. Proposals planned before keep no value and show English.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reasons_by_language', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_column('reasons_by_language')
