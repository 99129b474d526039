"""a presenter's withdrawal waits for the secretariat's decision before anyone is told

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 19:45:00

- briefings.agenda_pending: a presenting mission left the agenda (its slot declined) and
  the secretariat has not yet chosen to send the new agenda, re-plan or cancel (issue 14).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('briefings') as batch:
        batch.add_column(sa.Column('agenda_pending', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('briefings') as batch:
        batch.drop_column('agenda_pending')
