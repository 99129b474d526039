"""exactly-once confirms, outbox states of the present, trusted replies, login hardening

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 09:20:00

- briefings.proposal_meeting, unique with proposal_id: a proposal's meeting becomes one
  briefing however often (or however concurrently) it is confirmed;
- outbox_messages.status gains "waiting" (the relay is down) and "withdrawn";
- inbound_replies.outcome gains "unverified", with what Authentication-Results said and
  who decided;
- users.session_version (logout and password changes end every login session);
- login_throttles (failed logins per account and per address, shared by all workers).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

OUTBOX_OLD = "status IN ('pending', 'sending', 'sent', 'failed')"
OUTBOX_NEW = ("status IN ('pending', 'sending', 'waiting', 'sent', 'failed', 'withdrawn')")
REPLY_OLD = "outcome IN ('applied', 'stale', 'duplicate', 'unknown', 'ignored', 'rejected')"
REPLY_NEW = ("outcome IN ('applied', 'stale', 'duplicate', 'unknown', 'ignored', 'rejected', "
             "'unverified')")


def upgrade():
    with op.batch_alter_table('briefings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proposal_meeting', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_briefings_proposal_id_proposal_meeting'), ['proposal_id', 'proposal_meeting'])

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_messages_status'), type_='check')
        batch_op.create_check_constraint('status', OUTBOX_NEW)

    with op.batch_alter_table('inbound_replies', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_inbound_replies_outcome'), type_='check')
        batch_op.create_check_constraint('outcome', REPLY_NEW)
        batch_op.add_column(sa.Column('authentication', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('decided_by', sa.String(length=254), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False,
                                      server_default='0'))

    op.create_table(
        'login_throttles',
        sa.Column('key', sa.String(length=300), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('first_failure_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('blocked_until', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttles')),
    )


def downgrade():
    op.drop_table('login_throttles')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
    op.execute("UPDATE inbound_replies SET outcome = 'rejected' WHERE outcome = 'unverified'")
    with op.batch_alter_table('inbound_replies', schema=None) as batch_op:
        batch_op.drop_column('decided_at')
        batch_op.drop_column('decided_by')
        batch_op.drop_column('authentication')
        batch_op.drop_constraint(op.f('ck_inbound_replies_outcome'), type_='check')
        batch_op.create_check_constraint('outcome', REPLY_OLD)
    op.execute("UPDATE outbox_messages SET status = 'pending' WHERE status = 'waiting'")
    op.execute("UPDATE outbox_messages SET status = 'failed' WHERE status = 'withdrawn'")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_messages_status'), type_='check')
        batch_op.create_check_constraint('status', OUTBOX_OLD)
    with op.batch_alter_table('briefings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_briefings_proposal_id_proposal_meeting'), type_='unique')
        batch_op.drop_column('proposal_meeting')
