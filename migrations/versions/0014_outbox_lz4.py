"""outbox bodies compressed with lz4 on PostgreSQL

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 01:20:00

- outbox_messages.body_text, body_html, ics: PostgreSQL compresses large values (TOAST) with
  pglz unless told otherwise; a fan-out writes a few hundred messages of about 11 KiB in one
  transaction, and pglz made that INSERT several times slower than lz4 (issue 13, point 4).
  Only on PostgreSQL built with lz4 (14 and later); SQLite does not compress. Rows written
  before keep their compression: PostgreSQL reads both.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

COLUMNS = ("body_text", "body_html", "ics")


def _lz4_available() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    return bool(bind.execute(sa.text(
        "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
        "AND 'lz4' = ANY(enumvals)")).scalar())


def _set_compression(method: str) -> None:
    for column in COLUMNS:
        op.execute(f"ALTER TABLE outbox_messages ALTER COLUMN {column} SET COMPRESSION {method}")


def upgrade():
    if _lz4_available():
        _set_compression("lz4")


def downgrade():
    if _lz4_available():
        _set_compression("default")
