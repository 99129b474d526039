"""what each version of a briefing said, and the secretariat's note that went with it

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 21:15:00

- briefing_versions: one row a (briefing, SEQUENCE) sent: time, room, presenters, status and
  the secretariat's note. An update tells each contact what changed since the version it
  last received (issue 14, points 2 and 4). Briefings sent before this revision have no
  rows: their next update says what it is, without a comparison.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'briefing_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('briefing_id', sa.Integer(), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('room', sa.String(length=300), nullable=False),
        sa.Column('presenters', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['briefing_id'], ['briefings.id'],
                                name=op.f('fk_briefing_versions_briefing_id_briefings'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_briefing_versions')),
        sa.UniqueConstraint('briefing_id', 'sequence',
                            name=op.f('uq_briefing_versions_briefing_id_sequence')),
    )
    with op.batch_alter_table('briefing_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_briefing_versions_briefing_id'), ['briefing_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('briefing_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_briefing_versions_briefing_id'))
    op.drop_table('briefing_versions')
