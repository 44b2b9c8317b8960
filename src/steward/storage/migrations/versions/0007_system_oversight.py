"""system oversight and transparency facts

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ai_systems', schema=None) as batch_op:
        batch_op.add_column(sa.Column('human_oversight', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('bot_disclosure', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('human_handoff', sa.Boolean(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('ai_systems', schema=None) as batch_op:
        batch_op.drop_column('human_handoff')
        batch_op.drop_column('bot_disclosure')
        batch_op.drop_column('human_oversight')

