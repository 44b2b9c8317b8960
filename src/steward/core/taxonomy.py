"""Data categories and data uses from the fideslang taxonomy (the ``fideslang`` package).

Systems name the personal data they use and what they use it for with fideslang keys such as
``user.contact.email`` and ``marketing.advertising.profiling``, so Steward's inventory speaks the
same language as privacy tooling built on that taxonomy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from fideslang.default_taxonomy import DEFAULT_TAXONOMY


@dataclass(frozen=True)
class Term:
    key: str
    name: str
    description: str


@cache
def data_categories() -> dict[str, Term]:
    """Current (not deprecated) fideslang data categories by key."""
    return {c.fides_key: Term(c.fides_key, c.name or c.fides_key, c.description or "")
            for c in DEFAULT_TAXONOMY.data_category if not c.version_deprecated}


@cache
def data_uses() -> dict[str, Term]:
    """Current (not deprecated) fideslang data uses by key."""
    return {u.fides_key: Term(u.fides_key, u.name or u.fides_key, u.description or "")
            for u in DEFAULT_TAXONOMY.data_use if not u.version_deprecated}


SENSITIVE_CATEGORY_PREFIXES = (
    "user.biometric", "user.health_and_medical", "user.childrens", "user.criminal_history",
    "user.demographic.political_opinion", "user.demographic.race_ethnicity",
    "user.demographic.religious_belief", "user.demographic.sexual_orientation",
    "user.government_id", "user.authorization.biometric",
)


def is_sensitive(category: str) -> bool:
    """Special-category / sensitive personal information (GDPR Art. 9, CPRA §1798.140(ae))."""
    return category.startswith(SENSITIVE_CATEGORY_PREFIXES)


def unknown(keys: list[str], known: dict[str, Term]) -> list[str]:
    return [k for k in keys if k not in known]
