"""scheduling: scheduled pushes, scheduler lease, APScheduler job store

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 05:23:40.767259
"""
from alembic import op
import sqlalchemy as sa
import storage.models.base


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scheduler_leases',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=120), nullable=False),
    sa.Column('acquired_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_leases'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', storage.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('expires_at', storage.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('dropped_at', storage.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.drop_index(batch_op.f('ix_outbox_next_attempt_at'))
        batch_op.create_index('ix_outbox_pending', ['next_attempt_at'], unique=False, postgresql_where=sa.text('sent_at IS NULL AND failed_at IS NULL AND dropped_at IS NULL'), sqlite_where=sa.text('sent_at IS NULL AND failed_at IS NULL AND dropped_at IS NULL'))
    op.execute("UPDATE outbox SET due_at = created_at WHERE due_at IS NULL")

    # APScheduler 3's SQLAlchemyJobStore table (its own schema; created here so migrations own the database).
    op.create_table('apscheduler_jobs',
    sa.Column('id', sa.Unicode(length=191), nullable=False),
    sa.Column('next_run_time', sa.Float(precision=25), nullable=True),
    sa.Column('job_state', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apscheduler_jobs'))
    )
    op.create_index('ix_apscheduler_jobs_next_run_time', 'apscheduler_jobs', ['next_run_time'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_apscheduler_jobs_next_run_time', table_name='apscheduler_jobs')
    op.drop_table('apscheduler_jobs')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending', postgresql_where=sa.text('sent_at IS NULL AND failed_at IS NULL AND dropped_at IS NULL'), sqlite_where=sa.text('sent_at IS NULL AND failed_at IS NULL AND dropped_at IS NULL'))
        batch_op.create_index(batch_op.f('ix_outbox_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.drop_column('dropped_at')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('due_at')

    op.drop_table('scheduler_leases')
