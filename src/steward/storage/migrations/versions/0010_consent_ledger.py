"""consent ledger: purposes, append-only events, state, erasure proofs

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
BIGID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')

APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION steward_consent_events_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('steward.consent_erasure', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'consent_events is append-only: % refused (erase subjects with steward consent erase)', TG_OP;
END;
$$ LANGUAGE plpgsql
"""
APPEND_ONLY_TRIGGER = """
CREATE TRIGGER consent_events_append_only
BEFORE UPDATE OR DELETE ON consent_events
FOR EACH ROW EXECUTE FUNCTION steward_consent_events_append_only()
"""
NO_TRUNCATE_TRIGGER = """
CREATE TRIGGER consent_events_no_truncate
BEFORE TRUNCATE ON consent_events
FOR EACH STATEMENT EXECUTE FUNCTION steward_consent_events_append_only()
"""


def upgrade() -> None:
    op.create_table('consent_purposes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('data_uses', JSON, nullable=False),
    sa.Column('tcf_purposes', JSON, nullable=False),
    sa.Column('gpp_opt_outs', JSON, nullable=False),
    sa.Column('gpc', sa.Boolean(), nullable=False),
    sa.Column('profiling', sa.Boolean(), nullable=False),
    sa.Column('bases', JSON, nullable=False),
    sa.Column('rules', JSON, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_purposes')),
    sa.UniqueConstraint('key', name=op.f('uq_consent_purposes_key'))
    )
    op.create_table('consent_events',
    sa.Column('id', BIGID, nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('subject_hash', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('lawful_basis', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('notice', sa.String(length=200), nullable=True),
    sa.Column('notice_version', sa.String(length=64), nullable=True),
    sa.Column('jurisdiction', sa.String(length=16), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('subject_encrypted', sa.Text(), nullable=True),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_events')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_consent_events_idempotency_key')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('consent_events', schema=None) as batch_op:
        batch_op.create_index('ix_consent_events_subject_purpose', ['subject_hash', 'purpose'],
                              unique=False)

    op.create_table('consent_state',
    sa.Column('subject_hash', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('lawful_basis', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('jurisdiction', sa.String(length=16), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('event_id', sa.BigInteger(), nullable=False),
    sa.Column('gpc_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('subject_hash', 'purpose', name=op.f('pk_consent_state'))
    )
    with op.batch_alter_table('consent_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_state_event_id'), ['event_id'], unique=False)

    op.create_table('consent_erasures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_hash', sa.String(length=64), nullable=False),
    sa.Column('events_deleted', sa.Integer(), nullable=False),
    sa.Column('states_deleted', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('request_ref', sa.String(length=200), nullable=True),
    sa.Column('erased_by', sa.String(length=200), nullable=False),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_erasures'))
    )
    with op.batch_alter_table('consent_erasures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_erasures_subject_hash'), ['subject_hash'],
                              unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_FUNCTION)
        op.execute(APPEND_ONLY_TRIGGER)
        op.execute(NO_TRUNCATE_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS consent_events_no_truncate ON consent_events")
        op.execute("DROP TRIGGER IF EXISTS consent_events_append_only ON consent_events")
        op.execute("DROP FUNCTION IF EXISTS steward_consent_events_append_only()")
    with op.batch_alter_table('consent_erasures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_erasures_subject_hash'))
    op.drop_table('consent_erasures')
    with op.batch_alter_table('consent_state', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_state_event_id'))
    op.drop_table('consent_state')
    with op.batch_alter_table('consent_events', schema=None) as batch_op:
        batch_op.drop_index('ix_consent_events_subject_purpose')
    op.drop_table('consent_events')
    op.drop_table('consent_purposes')
