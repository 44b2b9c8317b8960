"""inventory: AI systems and obligations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ai_systems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('business_unit', sa.String(length=200), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('channels', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('ai_kinds', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('customer_facing', sa.Boolean(), nullable=False),
    sa.Column('jurisdictions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('vendor', sa.String(length=200), nullable=True),
    sa.Column('product', sa.String(length=200), nullable=True),
    sa.Column('model_name', sa.String(length=200), nullable=True),
    sa.Column('model_version', sa.String(length=200), nullable=True),
    sa.Column('hosting', sa.String(length=32), nullable=True),
    sa.Column('vendor_trains_on_our_data', sa.Boolean(), nullable=True),
    sa.Column('training_opt_out', sa.Boolean(), nullable=True),
    sa.Column('output_ip_indemnity', sa.Boolean(), nullable=True),
    sa.Column('trained_only_on_own_data', sa.Boolean(), nullable=False),
    sa.Column('training_data_sources', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('data_categories', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('data_uses', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('consent_purposes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=True),
    sa.Column('risk_score', sa.Integer(), nullable=True),
    sa.Column('risk_answers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('classification', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('classified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_ai_systems_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ai_systems')),
    sa.UniqueConstraint('name', name=op.f('uq_ai_systems_name'))
    )
    with op.batch_alter_table('ai_systems', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ai_systems_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ai_systems_stage'), ['stage'], unique=False)
        batch_op.create_index(batch_op.f('ix_ai_systems_tier'), ['tier'], unique=False)
        batch_op.create_index(batch_op.f('ix_ai_systems_vendor'), ['vendor'], unique=False)

    op.create_table('system_obligations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('system_id', sa.Integer(), nullable=False),
    sa.Column('obligation_id', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('citation', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('party', sa.String(length=16), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('applies_from', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('waiver_reason', sa.Text(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('evidence_link', sa.String(length=2000), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_system_obligations_decided_by_id_users')),
    sa.ForeignKeyConstraint(['system_id'], ['ai_systems.id'], name=op.f('fk_system_obligations_system_id_ai_systems'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_system_obligations')),
    sa.UniqueConstraint('system_id', 'obligation_id', name=op.f('uq_system_obligations_system_id'))
    )
    with op.batch_alter_table('system_obligations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_system_obligations_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_system_obligations_system_id'), ['system_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('system_obligations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_system_obligations_system_id'))
        batch_op.drop_index(batch_op.f('ix_system_obligations_status'))

    op.drop_table('system_obligations')
    with op.batch_alter_table('ai_systems', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ai_systems_vendor'))
        batch_op.drop_index(batch_op.f('ix_ai_systems_tier'))
        batch_op.drop_index(batch_op.f('ix_ai_systems_stage'))
        batch_op.drop_index(batch_op.f('ix_ai_systems_owner_id'))

    op.drop_table('ai_systems')
