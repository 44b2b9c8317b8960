"""consent ledger keys: bytewise collation and a hash index for events by subject (PostgreSQL)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

KEYS = {
    'consent_events': (('idempotency_key', 200), ('subject_hash', 64), ('purpose', 64)),
    'consent_state': (('subject_hash', 64), ('purpose', 64)),
    'consent_erasures': (('subject_hash', 64),),
}


def _collate(collation: str | None) -> None:
    for table, columns in KEYS.items():
        for name, length in columns:
            op.alter_column(table, name, existing_nullable=False,
                            type_=sa.String(length, collation=collation),
                            existing_type=sa.String(length))


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    with op.batch_alter_table('consent_events') as batch_op:
        batch_op.drop_index('ix_consent_events_subject_purpose')
    if postgres:
        _collate('C')
    op.create_index('ix_consent_events_subject', 'consent_events', ['subject_hash'],
                    postgresql_using='hash')


def downgrade() -> None:
    op.drop_index('ix_consent_events_subject', table_name='consent_events')
    if op.get_bind().dialect.name == 'postgresql':
        _collate(None)
    with op.batch_alter_table('consent_events') as batch_op:
        batch_op.create_index('ix_consent_events_subject_purpose', ['subject_hash', 'purpose'])
