"""monitors of every kind: a config document per monitor (fairness audits, KPI thresholds)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('monitors') as batch:
        batch.add_column(sa.Column('config', JSON, nullable=False, server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('monitors') as batch:
        batch.drop_column('config')
