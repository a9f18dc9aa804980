"""meeting series, revisions and outcomes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 06:29:50.241590
"""
from alembic import op
import sqlalchemy as sa
import storage.models.base


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('meeting_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('topic', sa.Text(), nullable=False),
    sa.Column('place', sa.String(length=120), nullable=False),
    sa.Column('cron', sa.String(length=60), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('skip_holidays', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_meeting_series_community_id_communities')),
    sa.ForeignKeyConstraint(['grid_id'], ['grids.id'], name=op.f('fk_meeting_series_grid_id_grids')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_series')),
    sa.UniqueConstraint('key', name=op.f('uq_meeting_series_key'))
    )
    with op.batch_alter_table('meeting_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_series_community_id'), ['community_id'], unique=False)

    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('outcome', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('outcome_at', storage.models.base.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_column('outcome_at')
        batch_op.drop_column('outcome')
        batch_op.drop_column('revision')

    with op.batch_alter_table('meeting_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_series_community_id'))

    op.drop_table('meeting_series')
