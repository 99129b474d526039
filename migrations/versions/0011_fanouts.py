"""fan-outs: a briefing's change is committed with one record; a worker composes the mail

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 12:30:00

- fanouts: one row per confirmation, update or cancellation of a briefing, written in the
  request's transaction; the delivery worker composes its outbox messages (issue 13).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'fanouts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('briefing_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('recipients', sa.Integer(), nullable=False),
        sa.Column('composed', sa.Integer(), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('invite', 'update', 'cancel')", name=op.f('ck_fanouts_kind')),
        sa.CheckConstraint("status IN ('queued', 'composing', 'done', 'superseded')",
                           name=op.f('ck_fanouts_status')),
        sa.ForeignKeyConstraint(['briefing_id'], ['briefings.id'],
                                name=op.f('fk_fanouts_briefing_id_briefings'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fanouts')),
    )
    with op.batch_alter_table('fanouts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fanouts_briefing_id'), ['briefing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fanouts_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('fanouts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fanouts_status'))
        batch_op.drop_index(batch_op.f('ix_fanouts_briefing_id'))
    op.drop_table('fanouts')
