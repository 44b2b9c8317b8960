"""The ORM: one module per table group, all sharing :class:`Base`.

Importing this package registers every table on ``Base.metadata`` (Alembic compares it with the
migrations in a test).
"""

from steward.storage.orm.audit import AuditEntry
from steward.storage.orm.base import Base
from steward.storage.orm.consent import (
    ConsentErasure,
    ConsentEvent,
    ConsentPurpose,
    ConsentState,
)
from steward.storage.orm.content import AIAsset, ContentItem, ContentReview
from steward.storage.orm.evidence import Evidence
from steward.storage.orm.governance import (
    Attestation,
    AuditorGrant,
    Feedback,
    Incident,
    PolicyVersion,
    Review,
    ReviewDecision,
    TrainingCompletion,
    TrainingModule,
)
from steward.storage.orm.kpis import Kpi
from steward.storage.orm.models import ModelCard, ModelFile
from steward.storage.orm.monitoring import Alert, Monitor
from steward.storage.orm.people import ApiToken, User, UserRole, WebSession
from steward.storage.orm.systems import AISystem, SystemObligation

__all__ = [
    "AIAsset", "ContentItem", "ContentReview",
    "Alert", "Monitor",
    "ModelCard", "ModelFile",
    "ConsentErasure", "ConsentEvent", "ConsentPurpose", "ConsentState",
    "Kpi",
    "Attestation", "AuditorGrant", "Feedback", "Incident", "PolicyVersion", "Review",
    "ReviewDecision", "TrainingCompletion", "TrainingModule",
    "AISystem", "ApiToken", "AuditEntry", "Base", "Evidence", "SystemObligation", "User",
    "UserRole", "WebSession",
]
