"""closed loop: case followers, deadline alerts, volunteer points ledger

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa
import storage.models.base


revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_followers',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('since', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_followers_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_case_followers_resident_id_residents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', 'resident_id', name=op.f('pk_case_followers'))
    )
    op.create_table('deadline_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.String(length=10), nullable=False),
    sa.Column('due_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('alert', sa.String(length=10), nullable=False),
    sa.Column('at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_deadline_alerts_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_alerts')),
    sa.UniqueConstraint('case_id', 'deadline', 'due_at', 'alert', name=op.f('uq_deadline_alerts_case_id'))
    )
    with op.batch_alter_table('deadline_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_alerts_case_id'), ['case_id'], unique=False)

    op.create_table('points_ledger',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=120), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=60), nullable=False),
    sa.Column('awarded_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_points_ledger_case_id_cases'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_points_ledger_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_ledger')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_points_ledger_dedupe_key'))
    )
    with op.batch_alter_table('points_ledger', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_points_ledger_staff_id'), ['staff_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('points_ledger', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_points_ledger_staff_id'))

    op.drop_table('points_ledger')
    with op.batch_alter_table('deadline_alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_alerts_case_id'))

    op.drop_table('deadline_alerts')
    op.drop_table('case_followers')
