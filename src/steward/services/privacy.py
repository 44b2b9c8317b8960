"""Privacy engineering as a use case: scan a customer table, propose a plan, anonymize, measure.

:func:`anonymize` applies a plan with the organisation's pseudonym key, measures k-anonymity and
l-diversity before and after, summarises the utility lost, judges the result by the policy in
force (``applies_to: dataset``, e.g. ``privacy.training_data_anonymised``) and, on an AI system,
keeps it as evidence of kind ``dataset_anonymization`` — so a stage gate can require
"training data anonymized, k >= 5" (``accepted_verdicts: [pass]``).

The key: ``STEWARD_PSEUDONYM_KEY``, else the key file ``<data_dir>/keys/pseudonym.key`` (created
with 32 random bytes, mode 0600, on first use). It is never read from a plan, never stored in
evidence or the audit log; its public fingerprint (``key_id``) is, so two outputs can be known to
join.

Tokens (``tokenize``) are reversible: each run that tokenizes writes a vault file under
``<data_dir>/vault/<vault key id>/`` (values sealed with AES-256-GCM, see
:mod:`steward.engines.privacy._vault`), under ``STEWARD_VAULT_KEY`` or the key file
``<data_dir>/keys/vault.key`` — a secret of its own, refused when equal to the pseudonym key.
:func:`reveal` opens tokens for the privacy and legal roles (and admins) only, with a stated
reason, one audit entry per token (who, which token, why; never the value). Neither the keys nor
the vault folder can be read as a table through the API or the web.

Paths: the CLI may read and write any local path; the API and the web (``confine=True``) only
under the data directory, and their outputs go to ``<data_dir>/anonymized``.
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from steward.core.roles import Role, write_access
from steward.engines.backends import BackendName, open_table
from steward.engines.privacy import (
    DIRECT,
    Plan,
    VaultKey,
    VaultTarget,
    discover,
    k_anonymity,
    parse_plan,
    suggest_plan,
    utility,
    vault_files,
)
from steward.engines.privacy import (
    anonymize as run_plan,
)
from steward.engines.privacy import (
    reveal as open_tokens,
)
from steward.errors import ConfigurationError, InvalidInput, NotFound
from steward.services import data_paths, policy
from steward.services.evidence import get_evidence, list_evidence, record_evidence
from steward.services.runtime import Unit
from steward.storage.orm import AISystem

RUN_PRIVACY = write_access(Role.PRIVACY, Role.DATA_SCIENCE, Role.LEGAL, Role.IT)
REVEAL_TOKENS = write_access(Role.PRIVACY, Role.LEGAL)
"""Who may turn tokens back into values (a write: every reveal appends to the audit log)."""
KIND = "dataset_anonymization"
KEY_FILE = Path("keys") / "pseudonym.key"
VAULT_KEY_FILE = Path("keys") / "vault.key"
VAULT_FOLDER = "vault"
OUTPUT_FOLDER = "anonymized"
MAX_REVEAL = 100
MIN_REASON = 10
NO_REASON = f"say why the tokens are revealed (a reason of at least {MIN_REASON} characters)"
TOO_MANY_TOKENS = f"reveal at most {MAX_REVEAL} tokens at a time"
SAME_KEYS = "the vault key must not be the pseudonym key: set STEWARD_VAULT_KEY to another secret"
DEFAULT_PURPOSE = "model_training"
NOT_AN_ANONYMIZATION = "no dataset anonymization with id {id}"
_POLICY_VERDICT = {"block": "fail", "warn": "warn", "pass": "pass", "info": "pass"}


# --- keys and paths ---------------------------------------------------------------------------


def pseudonym_key(unit: Unit, *, create: bool = True) -> bytes | None:
    """The organisation's pseudonym key (environment first, then the key file)."""
    return _secret(unit, unit.settings.pseudonym_key, KEY_FILE, "pseudonym_key", create=create)


def vault_key(unit: Unit, *, create: bool = True) -> VaultKey | None:
    """The token vault's keys, derived from ``STEWARD_VAULT_KEY`` or the vault key file."""
    secret = _secret(unit, unit.settings.vault_key, VAULT_KEY_FILE, "vault_key", create=create)
    if secret is None:
        return None
    pseudonym = pseudonym_key(unit, create=False)
    if pseudonym is not None and hmac.compare_digest(pseudonym, secret):
        raise ConfigurationError(SAME_KEYS)
    return VaultKey.derive(secret)


def _secret(unit: Unit, configured: SecretStr | None, relative: Path, object_type: str, *,
            create: bool) -> bytes | None:
    if configured is not None and configured.get_secret_value():
        return str(configured.get_secret_value()).encode("utf-8")
    path = Path(unit.settings.data_dir) / relative
    if path.is_file():
        text = path.read_text(encoding="utf-8").strip()
        try:
            return bytes.fromhex(text)
        except ValueError:
            return text.encode("utf-8")
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(key.hex() + "\n")
    unit.audit("privacy.key_create", object_type, str(relative),
               after={"path": str(relative)})
    return key


def _path(unit: Unit, path: str, confine: bool) -> str:
    return data_paths.resolve(unit, path, confine=confine)


def _shown(unit: Unit, path: str, confine: bool) -> str:
    return data_paths.shown(unit, path, confine=confine)


def _vault_target(unit: Unit, source: str, backend: str) -> VaultTarget:
    """Where this run's vault entries go: ``vault/<key id>/<name>-<time>-<random>.parquet``."""
    key = vault_key(unit)
    assert key is not None
    root = Path(unit.settings.data_dir).resolve() / VAULT_FOLDER
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder = root / key.key_id
    folder.mkdir(exist_ok=True, mode=0o700)
    stem = Path(source).name.split(".")[0] or "table"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return VaultTarget(key=key, path=folder / f"{stem}-{stamp}-{secrets.token_hex(4)}.parquet")


def _default_out(unit: Unit, source: str) -> str:
    stem = Path(source).name.split(".")[0] or "table"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    folder = Path(unit.settings.data_dir).resolve() / OUTPUT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / f"{stem}-anonymized-{stamp}-{secrets.token_hex(2)}.parquet")


def _policy_k(unit: Unit) -> tuple[int, int]:
    pack = policy.in_force(unit).pack
    k = pack.thresholds.get("privacy.k_anonymity_min", 5)
    l_min = pack.thresholds.get("privacy.l_diversity_min", 2)
    return (int(k) if isinstance(k, int | float) else 5,
            int(l_min) if isinstance(l_min, int | float) else 2)


# --- scan, plan, risk -------------------------------------------------------------------------


def scan(unit: Unit, *, source: str, sample: int = 1000, confine: bool = False,
         backend: BackendName = "duckdb") -> dict[str, Any]:
    """Every column's PII type, class and confidence (counts only, no sampled value)."""
    unit.require(RUN_PRIVACY, "scan tables for personal data")
    with open_table(_path(unit, source, confine), backend=backend, hash_files=False) as table:
        found = discover(table, sample=max(10, min(sample, 100_000)))
    result = found.to_dict()
    result["source"] = _shown(unit, source, confine)
    return result


def make_plan(unit: Unit, *, source: str, sample: int = 1000, confine: bool = False,
              backend: BackendName = "duckdb") -> dict[str, Any]:
    """A proposed plan for a table: ``{"plan": …, "yaml": …, "discovery": …}``; k and l are the
    policy's thresholds."""
    unit.require(RUN_PRIVACY, "plan anonymizations")
    k, l_min = _policy_k(unit)
    with open_table(_path(unit, source, confine), backend=backend, hash_files=False) as table:
        found = discover(table, sample=max(10, min(sample, 100_000)))
        plan = suggest_plan(found, table, k=k)
    plan = plan.model_copy(update={"source": _shown(unit, source, confine)})
    return {"plan": plan.model_dump(mode="json"), "yaml": plan.to_yaml(),
            "discovery": {**found.to_dict(), "source": _shown(unit, source, confine)}}


def load_plan(document: Any) -> Plan:
    """A plan from YAML text, a parsed mapping, or a :class:`Plan`."""
    return document if isinstance(document, Plan) else parse_plan(document)


def assess_risk(unit: Unit, *, source: str, quasi_identifiers: Sequence[str],
                k: int | None = None, sensitive: Sequence[str] = (), l_target: int | None = None,
                confine: bool = False, backend: BackendName = "duckdb") -> dict[str, Any]:
    """k-anonymity over the quasi-identifiers and l-diversity of the sensitive columns."""
    unit.require(RUN_PRIVACY, "assess re-identification risk")
    policy_k, policy_l = _policy_k(unit)
    with open_table(_path(unit, source, confine), backend=backend, hash_files=False) as table:
        report = k_anonymity(table, list(quasi_identifiers), k=k or policy_k,
                             sensitive=list(sensitive),
                             l_target=l_target or (policy_l if sensitive else None))
    return {**report.to_dict(), "source": _shown(unit, source, confine)}


# --- anonymize --------------------------------------------------------------------------------


def _system(unit: Unit, system_id: int) -> AISystem:
    system = unit.session.get(AISystem, system_id)
    if system is None:
        raise NotFound(f"no AI system with id {system_id}")
    return system


def _remaining_direct(plan: Plan, output_columns: list[str]) -> list[str]:
    """Direct identifiers that reach the output with their raw values."""
    return [c for c in output_columns
            if (plan.discovery.get(c) or {}).get("class") == DIRECT
            and (c not in plan.columns or plan.columns[c].transform == "keep")]


def anonymize(unit: Unit, *, source: str, plan: Any, out: str | None = None,
              system_id: int | None = None, purpose: str = DEFAULT_PURPOSE,
              confine: bool = False, keep: bool = False, backend: BackendName = "duckdb",
              dataset_name: str | None = None) -> dict[str, Any]:
    """Apply a plan; measure risk before and after and utility; judge; keep as evidence.

    Evidence is recorded when ``system_id`` is given (or ``keep``, without a system). The
    verdict is ``pass`` when the output meets the plan's k (and l, when set) and the policy
    passes, ``fail`` when the policy blocks, ``warn`` otherwise.
    """
    unit.require(RUN_PRIVACY, "anonymize tables")
    parsed = load_plan(plan)
    system = _system(unit, system_id) if system_id is not None else None
    source_path = _path(unit, source, confine)
    target = _path(unit, out, confine) if out else (
        _default_out(unit, source) if confine else None)
    if target is None:
        raise InvalidInput("give the output path (--out)")
    needs_key = bool(parsed.using("pseudonym"))
    with open_table(source_path, backend=backend, hash_files=True) as table:
        parsed.check(list(table.columns), _shown(unit, source, confine))
        key = pseudonym_key(unit) if needs_key else None
        vault = _vault_target(unit, source, backend) if parsed.using("tokenize") else None
        before = None
        raw_qi = [c for c in parsed.quasi_identifiers if c in table.columns]
        if raw_qi:
            before = k_anonymity(table, raw_qi, k=parsed.k,
                                 sensitive=[s for s in parsed.sensitive if s in table.columns],
                                 l_target=parsed.l).to_dict()
        done = run_plan(table, parsed, out=target, key=key, vault=vault)
        fingerprint = table.fingerprint(rows=done.rows_in).to_dict()
        with open_table(done.output, backend=backend, hash_files=False) as output:
            after = None
            if parsed.quasi_identifiers:
                after = k_anonymity(output, parsed.quasi_identifiers, k=parsed.k,
                                    sensitive=parsed.sensitive, l_target=parsed.l).to_dict()
            shift = utility(table, output, done.columns, steps=parsed.columns)
    result = done.to_dict()
    result["source"] = _shown(unit, source, confine)
    result["output"] = _shown(unit, done.output, confine) if confine else done.output
    if done.vault is not None:
        result["vault"] = {**done.vault, "path": _relative(unit, done.vault["path"])}
    direct_left = _remaining_direct(parsed, done.output_columns)
    k_reached = (after or {}).get("k_anonymity", 0) if after else 0
    l_values = [v["min_l"] or 0 for v in ((after or {}).get("l_diversity") or {}).values()]
    facts = {"dataset": {
        "name": dataset_name or Path(result["source"]).name, "purpose": purpose,
        "rows": done.rows_out, "direct_identifiers": direct_left,
        "quasi_identifiers": list(parsed.quasi_identifiers), "k_anonymity": k_reached,
        "l_diversity": min(l_values) if l_values else None}}
    judged = policy.judge(unit, applies_to="dataset", facts=facts)
    meets = bool(after and after["satisfied"]) and not direct_left
    verdict = _POLICY_VERDICT[judged["outcome"]]
    if verdict == "pass" and not meets:
        verdict = "warn"
    result.update({
        "plan": parsed.model_dump(mode="json"), "risk_before": before, "risk_after": after,
        "utility": shift, "policy": judged, "verdict": verdict, "purpose": purpose,
        "direct_identifiers_left": direct_left, "fingerprint": fingerprint,
        "system": {"id": system.id, "name": system.name} if system else None,
        "anonymized_at": datetime.now(UTC).isoformat(), "anonymized_by": unit.actor.label,
        "evidence": None,
    })
    unit.audit("privacy.anonymize", "dataset", result["source"], after={
        "output": result["output"], "rows_in": done.rows_in, "rows_out": done.rows_out,
        "transformed": result["transformed"], "sha256": done.sha256, "key_id": done.key_id,
        "k_anonymity": k_reached, "verdict": verdict, "vault": result["vault"]})
    if system is not None or keep:
        payload = {k: v for k, v in result.items() if k != "evidence"}
        summary = {"rows": done.rows_out, "rows_in": done.rows_in,
                   "suppressed": done.suppressed, "k": parsed.k, "k_anonymity": k_reached,
                   "l_diversity": facts["dataset"]["l_diversity"],
                   "columns_transformed": result["transformed"], "sha256": done.sha256,
                   "key_id": done.key_id, "source": result["source"],
                   "output": result["output"], "policy_outcome": judged["outcome"],
                   "purpose": purpose, "vault": result["vault"],
                   "distribution_shift": _shift_summary(shift)}
        result["evidence"] = record_evidence(
            unit, kind=KIND, title=f"Anonymized {facts['dataset']['name']} "
                                   f"(k = {k_reached}, {done.rows_out:,} rows)",
            payload=payload, system_id=system.id if system else None, verdict=verdict,
            summary=summary, data_fingerprint=fingerprint, file_path=result["output"],
            policy_version=str(judged["policy_version"]))
    return result


def _relative(unit: Unit, path: str) -> str:
    """A path under the data directory as relative to it (others as they are)."""
    root = Path(unit.settings.data_dir).resolve()
    resolved = Path(path).resolve()
    return str(resolved.relative_to(root)) if root in resolved.parents else path


def _shift_summary(shift: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    """Per compared column, its PSI and Jensen-Shannon distance (for the evidence summary)."""
    return {c: {"psi": u["psi"], "js_distance": u["js_distance"]}
            for c, u in shift.items() if u.get("compared")}


# --- the token vault --------------------------------------------------------------------------


def reveal(unit: Unit, tokens: Sequence[str], *, reason: str) -> list[dict[str, Any]]:
    """The values behind vault tokens, for the privacy and legal roles (and admins).

    Every token is revealed or none: a malformed token, one no vault file holds, or one made
    with another vault key is refused with one line. Each token revealed appends one audit
    entry ``privacy.reveal`` naming the token, the reason, its column and vault file — never
    the value.
    """
    unit.require(REVEAL_TOKENS, "reveal tokens")
    why = " ".join((reason or "").split())
    if len(why) < MIN_REASON:
        raise InvalidInput(NO_REASON)
    if len(why) > 500:
        raise InvalidInput("the reason must be at most 500 characters")
    if len(set(tokens)) > MAX_REVEAL:
        raise InvalidInput(TOO_MANY_TOKENS)
    key = vault_key(unit, create=False)
    if key is None:
        raise NotFound("there is no vault yet: no run has tokenized a column")
    files = vault_files(Path(unit.settings.data_dir).resolve() / VAULT_FOLDER)
    opened = open_tokens(files, tokens, key)
    out = []
    for item in opened:
        vault = _relative(unit, item.file)
        unit.audit("privacy.reveal", "token", item.token, after={
            "reason": why, "column": item.column, "vault": vault, "key_id": key.key_id})
        out.append({"token": item.token, "value": item.value, "column": item.column,
                    "vault": vault})
    return out


def get_anonymization(unit: Unit, evidence_id: int) -> dict[str, Any]:
    try:
        record = get_evidence(unit, evidence_id)
    except NotFound:
        raise NotFound(NOT_AN_ANONYMIZATION.format(id=evidence_id)) from None
    if record["kind"] != KIND:
        raise NotFound(NOT_AN_ANONYMIZATION.format(id=evidence_id))
    return record


def list_anonymizations(unit: Unit, *, system_id: int | None = None,
                        limit: int = 100) -> list[dict[str, Any]]:
    return list_evidence(unit, system_id=system_id, kind=KIND, limit=limit)


def data_files(unit: Unit, *, limit: int = 200) -> list[dict[str, Any]]:
    """CSV and Parquet files under the data directory, newest first (paths relative to it)."""
    unit.require(RUN_PRIVACY, "list data files")
    return data_paths.data_files(unit.settings.data_dir, limit=limit)
