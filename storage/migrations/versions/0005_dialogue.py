"""dialogue: consultation meetings, signups and topic proposals (issue 4)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 05:32:25.704697
"""
from alembic import op
import sqlalchemy as sa
import storage.models.base


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('series_key', sa.String(length=40), nullable=True),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('topic', sa.Text(), nullable=False),
    sa.Column('place', sa.String(length=120), nullable=False),
    sa.Column('starts_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_meetings_community_id_communities')),
    sa.ForeignKeyConstraint(['grid_id'], ['grids.id'], name=op.f('fk_meetings_grid_id_grids')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings')),
    sa.UniqueConstraint('series_key', 'starts_at', name=op.f('uq_meetings_series_key'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetings_starts_at'), ['starts_at'], unique=False)

    op.create_table('meeting_signups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_signups_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_meeting_signups_resident_id_residents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_signups')),
    sa.UniqueConstraint('meeting_id', 'resident_id', name=op.f('uq_meeting_signups_meeting_id'))
    )
    with op.batch_alter_table('meeting_signups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_signups_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_signups_resident_id'), ['resident_id'], unique=False)

    op.create_table('topic_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_topic_proposals_community_id_communities')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_topic_proposals_meeting_id_meetings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_topic_proposals_resident_id_residents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_topic_proposals'))
    )
    with op.batch_alter_table('topic_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_topic_proposals_community_id'), ['community_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('topic_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_topic_proposals_community_id'))

    op.drop_table('topic_proposals')
    with op.batch_alter_table('meeting_signups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_signups_resident_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_signups_meeting_id'))

    op.drop_table('meeting_signups')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_starts_at'))
        batch_op.drop_index(batch_op.f('ix_meetings_community_id'))

    op.drop_table('meetings')
