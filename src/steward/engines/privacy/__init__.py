"""Privacy engineering for customer tables: find the PII, plan its protection, apply it, measure
what re-identification risk is left.

Data used to train or feed an AI system should carry no more personal data than the purpose
needs (GDPR Art. 5(1)(c), Art. 25). This engine does four things, each on DuckDB (default, files
larger than memory) or Spark, through :func:`steward.engines.backends.open_table`:

1. **discover** — every column's PII type, class and confidence, from its name and a sample of
   its values run through the same detectors as the content guard (:mod:`steward.engines.pii`);
2. **plan** — a first :class:`Plan` from the discovery (keyed pseudonyms for identifiers that
   tables join on, names dropped, quasi-identifiers generalized, free text redacted), written as
   YAML for a person to review and edit;
3. **anonymize** — the plan applied by one SQL SELECT (the keyed pseudonym is HMAC-SHA256
   computed in SQL, see :mod:`._sql`), free text redacted in a streaming stage, rows in classes
   smaller than k optionally suppressed; tokenized columns get reversible tokens whose values
   are sealed in a vault file that only :func:`reveal` opens (:mod:`._vault`);
4. **risk** — k-anonymity over the quasi-identifiers and l-diversity of the sensitive columns by
   one GROUP BY, and a before/after utility summary with each column's PSI and Jensen-Shannon
   distance (the drift engine's definitions, :mod:`._distance`).

What it cannot decide for you: which columns are quasi-identifiers *for your adversary*, and
whether k = 5 is enough. The plan is a proposal; the person who approves it owns it.

>>> import pyarrow as pa
>>> customers = pa.table({"email": ["ada@example.com", "bob@example.org"], "age": [34, 71]})
>>> plan = plan_for(customers)
>>> {c: s.transform for c, s in plan.columns.items()}
{'email': 'pseudonym', 'age': 'generalize'}
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from steward.engines.backends import BackendName, TableSource, open_table
from steward.engines.privacy._anonymize import (
    BAD_OUTPUT,
    NO_KEY,
    OUTPUT_EXISTS,
    Anonymization,
    anonymize,
    select_sql,
)
from steward.engines.privacy._discover import (
    CLASSES,
    DIRECT,
    FREE_TEXT,
    NON_PERSONAL,
    QUASI,
    SENSITIVE,
    ColumnFinding,
    Discovery,
    discover,
    match_name,
)
from steward.engines.privacy._plan import (
    KEY_IN_PLAN,
    TRANSFORMS,
    UNKNOWN_COLUMN,
    UNKNOWN_TRANSFORM,
    Plan,
    parse_plan,
)
from steward.engines.privacy._redact import ColumnRedaction, Redactor
from steward.engines.privacy._risk import RiskReport, k_anonymity, utility
from steward.engines.privacy._sql import (
    TOKEN_HEX,
    TOKEN_PREFIX,
    hmac_sql,
    key_id,
    key_pads,
    token,
    us_region_map,
)
from steward.engines.privacy._suggest import suggest_plan
from steward.engines.privacy._vault import (
    BAD_TOKEN,
    NO_VAULT,
    OTHER_KEY,
    UNKNOWN_TOKENS,
    Revealed,
    VaultKey,
    VaultTarget,
    check_token,
    reveal,
    vault_files,
    vault_token,
)

__all__ = [
    # classes of columns
    "CLASSES", "DIRECT", "QUASI", "SENSITIVE", "FREE_TEXT", "NON_PERSONAL",
    # discovery
    "ColumnFinding", "Discovery", "discover", "match_name", "scan",
    # plans
    "Plan", "parse_plan", "suggest_plan", "plan_for", "TRANSFORMS",
    # anonymization
    "Anonymization", "anonymize", "anonymize_table", "select_sql", "ColumnRedaction", "Redactor",
    "TOKEN_HEX", "hmac_sql", "key_id", "key_pads", "token", "us_region_map",
    # the token vault
    "TOKEN_PREFIX", "Revealed", "VaultKey", "VaultTarget", "check_token", "reveal",
    "vault_files", "vault_token",
    # risk
    "RiskReport", "k_anonymity", "risk", "utility",
    # error messages
    "BAD_OUTPUT", "KEY_IN_PLAN", "NO_KEY", "OUTPUT_EXISTS", "UNKNOWN_COLUMN", "UNKNOWN_TRANSFORM",
    "BAD_TOKEN", "NO_VAULT", "OTHER_KEY", "UNKNOWN_TOKENS",
]


def scan(source: TableSource, *, sample: int = 1000, backend: BackendName = "duckdb"
         ) -> Discovery:
    """Discover the PII columns of a table (a path, Arrow or pandas table, …)."""
    with open_table(source, backend=backend, hash_files=False) as table:
        return discover(table, sample=sample)


def plan_for(source: TableSource, *, k: int = 5, sample: int = 1000,
             backend: BackendName = "duckdb") -> Plan:
    """Discover a table and propose its plan."""
    with open_table(source, backend=backend, hash_files=False) as table:
        return suggest_plan(discover(table, sample=sample), table, k=k)


def anonymize_table(source: TableSource, plan: Plan, *, out: str | Path, key: bytes | None,
                    vault: VaultTarget | None = None, backend: BackendName = "duckdb",
                    spark: Any | None = None) -> Anonymization:
    """Apply ``plan`` to a table and write the result to ``out`` (and the vault entries of
    tokenized columns to ``vault.path``)."""
    with open_table(source, backend=backend, spark=spark, hash_files=False) as table:
        return anonymize(table, plan, out=out, key=key, vault=vault)


def risk(source: TableSource, quasi_identifiers: Sequence[str], *, k: int = 5,
         sensitive: Sequence[str] = (), l_target: int | None = None,
         backend: BackendName = "duckdb", spark: Any | None = None) -> RiskReport:
    """k-anonymity and l-diversity of a table over its quasi-identifiers."""
    with open_table(source, backend=backend, spark=spark, hash_files=False) as table:
        return k_anonymity(table, quasi_identifiers, k=k, sensitive=sensitive,
                           l_target=l_target)
