"""the language each outbox message is written in

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 02:15:00

- outbox_messages.language: the language of the message (its Content-Language header, e.g.
  "fr"), issue 15 point 2. Messages queued before are English and keep no value.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('language')
