"""model files and model cards

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('model_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('system_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('format', sa.String(length=16), nullable=False),
    sa.Column('bytes', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.String(length=100), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('registered_by', sa.String(length=200), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['system_id'], ['ai_systems.id'], name=op.f('fk_model_files_system_id_ai_systems'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_model_files')),
    sa.UniqueConstraint('system_id', 'sha256', name=op.f('uq_model_files_system_id'))
    )
    with op.batch_alter_table('model_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_model_files_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_model_files_system_id'), ['system_id'], unique=False)

    op.create_table('model_cards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('system_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('fields', JSON, nullable=False),
    sa.Column('snapshot', JSON, nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['system_id'], ['ai_systems.id'], name=op.f('fk_model_cards_system_id_ai_systems'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_model_cards')),
    sa.UniqueConstraint('system_id', 'version', name=op.f('uq_model_cards_system_id'))
    )
    with op.batch_alter_table('model_cards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_model_cards_system_id'), ['system_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('model_cards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_model_cards_system_id'))
    op.drop_table('model_cards')
    with op.batch_alter_table('model_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_model_files_system_id'))
        batch_op.drop_index(batch_op.f('ix_model_files_sha256'))
    op.drop_table('model_files')
