"""kpis

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kpis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('system_id', sa.Integer(), nullable=False),
    sa.Column('campaign', sa.String(length=200), nullable=False),
    sa.Column('metric', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['system_id'], ['ai_systems.id'], name=op.f('fk_kpis_system_id_ai_systems'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpis')),
    sa.UniqueConstraint('system_id', 'campaign', 'metric', 'day', name='uq_kpis_point')
    )
    with op.batch_alter_table('kpis', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpis_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_kpis_metric'), ['metric'], unique=False)
        batch_op.create_index(batch_op.f('ix_kpis_system_id'), ['system_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('kpis', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpis_system_id'))
        batch_op.drop_index(batch_op.f('ix_kpis_metric'))
        batch_op.drop_index(batch_op.f('ix_kpis_day'))
    op.drop_table('kpis')
