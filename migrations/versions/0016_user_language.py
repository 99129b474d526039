"""the language each secretariat user reads the pages in

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 06:10:00

- users.language: the language the user chose for the pages ("en", "fr", "es", "ar"), issue
  15 point 4; none (every user until they choose) follows the browser's Accept-Language.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('language')
