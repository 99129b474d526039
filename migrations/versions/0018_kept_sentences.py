"""recorded sentences kept for pages in other languages

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 13:30:00

- outbox_messages.last_error_said, briefings.review_note_said, inbound_replies.reason_said
  and inbound_replies.note_said: the template and values of the sentence the text column
  holds in English (why a message was withdrawn or waits, why a briefing needs review, what
  became of a reply and who answered for whom), so that the
  secretariat's pages write it in their language (issue 15 point 4). Rows written before,
  and a relay's own words, keep no value and show their English text.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

COLUMNS = (("outbox_messages", "last_error_said"), ("briefings", "review_note_said"),
           ("inbound_replies", "reason_said"), ("inbound_replies", "note_said"))


def upgrade():
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, sa.JSON(), nullable=True))


def downgrade():
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
