"""Evidence packs: one AI system's reports, evidence and audit-log extract in a checkable zip.

``export_pack(unit, system_id)`` builds a zip holding:

- ``reports/system-report.html`` (and ``.pdf`` when asked): the governance report;
- ``reports/scorecard.json``, ``system.json``, ``incidents.json``, ``content.json``,
  ``kpis.csv``: the records behind it;
- ``evidence/<id>-<kind>.json``: every stored engine result on the system, with its payload
  (whose SHA-256 over canonical JSON is the ``content_sha256`` the database kept), and under
  ``evidence/files/`` the files evidence points to inside the data directory;
- ``audit/extract.jsonl``: the audit-log extract (below);
- ``manifest.json``: the SHA-256 and size of every other file, the extract's chain facts, and
  ``manifest_sha256``, the SHA-256 of the manifest's own canonical JSON without that field.

**The audit-log extract.** The system's entries (object ``ai_system``/<id>) are not contiguous in
the hash chain: other objects' entries fall between them. The extract therefore covers the whole
span of the chain from the system's first entry to its last, in order, one JSON object a line:
the system's own entries **in full** (every hashed field and the hash), every other entry of the
span **redacted** to ``{seq, prev_hash, hash, redacted: true}`` so that nothing of other systems
or people leaks to an outside auditor.

:func:`verify_pack` (``steward evidence verify PACK.zip``) needs no database. It checks:

1. ``manifest.json`` is valid, in its canonical form, and matches its ``manifest_sha256``;
2. every file listed exists and has its SHA-256 and size, and no file is unlisted;
3. the extract: sequence numbers contiguous over the span; each entry's ``prev_hash`` equal to
   the hash of the entry before it; each full entry's hash recomputed from its fields; the first
   ``prev_hash`` and the last hash equal to those the manifest records; and the system's entries
   are exactly the full ones.

It reports every problem, files first, naming the file or the audit entry.

**Guarantees, and their limits.** Any change to a byte of any file in the pack is detected
(each file by its hash, the manifest by its own hash and canonical form). Any change to one of
the system's entries is detected by its recomputed hash. The pack is not signed: someone who
rewrites a file *and* its manifest entry and the manifest's own hash makes a self-consistent
pack. What ties a pack to the truth is the organisation's live audit log: every hash in the
extract is the hash that entry has in the live chain, so ``steward evidence verify PACK.zip
--against-log`` (run where the database is, after ``steward audit-log verify``) compares each
(seq, hash) of the extract with the live chain. A forged system entry then shows, because its
hash (and the next entry's ``prev_hash``) no longer matches. Redacted entries are only checked
for linkage and against the live log, not recomputed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from steward import __version__
from steward.core.audit_chain import GENESIS_HASH, HASHED_FIELDS, canonical_json, entry_hash
from steward.core.roles import Role, read_access
from steward.errors import InvalidInput
from steward.services import auditors, evidence, kpis, reporting
from steward.services.reports.governance import render_system_report
from steward.services.runtime import Unit
from steward.storage import audit_log
from steward.storage.orm import AuditEntry, ContentItem, Evidence

EXPORT_PACKS = read_access(Role.COMMITTEE, Role.LEGAL, Role.PRIVACY, Role.IT, Role.AUDITOR)
FORMAT = "steward-evidence-pack/1"
MANIFEST = "manifest.json"
EXTRACT = "audit/extract.jsonl"
OBJECT_TYPE = "ai_system"
MAX_EVIDENCE_FILE = 50 * 1024 * 1024
"""Files evidence points to are packed up to this size; larger ones are named by their evidence
record (path and, for anonymized outputs, SHA-256) but left out of the zip."""

NOT_A_PACK = "{name}: not a zip file"
NO_MANIFEST = "manifest.json: missing"
BAD_MANIFEST = "manifest.json: {problem}"
FILE_CHANGED = "file {path}: SHA-256 does not match the manifest"
FILE_SIZE = "file {path}: size does not match the manifest"
FILE_MISSING = "file {path}: listed in the manifest but missing from the pack"
FILE_UNLISTED = "file {path}: in the pack but not in the manifest"
FILE_CORRUPT = "file {path}: cannot be read from the zip ({problem})"
ENTRY = "audit entry {seq}: {reason}"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)
            + "\n").encode("utf-8")


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """The manifest as written: ``manifest_sha256`` added, then pretty JSON with sorted keys."""
    body = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    return _json({**body, "manifest_sha256": _sha(canonical_json(body).encode("utf-8"))})


# --- the audit-log extract ----------------------------------------------------------------------


def _span(unit: Unit, system_id: int) -> tuple[int, int] | None:
    row = unit.session.execute(
        select(func.min(AuditEntry.seq), func.max(AuditEntry.seq)).where(
            AuditEntry.object_type == OBJECT_TYPE, AuditEntry.object_id == str(system_id))).one()
    return None if row[0] is None else (int(row[0]), int(row[1]))


def audit_extract(unit: Unit, system_id: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The span's entries (the system's in full, others redacted) and the chain facts."""
    span = _span(unit, system_id)
    if span is None:
        return [], {"entries": 0, "full_entries": 0, "first_seq": None, "last_seq": None,
                    "start_prev_hash": None, "end_hash": None}
    first, last = span
    columns = [getattr(AuditEntry, name) for name in audit_log.RECORD_FIELDS]
    rows = unit.session.execute(select(*columns).where(
        AuditEntry.seq >= first, AuditEntry.seq <= last).order_by(AuditEntry.seq)).all()
    out = []
    for row in rows:
        if row.object_type == OBJECT_TYPE and row.object_id == str(system_id):
            out.append(audit_log.as_record(row))
        else:
            out.append({"seq": row.seq, "prev_hash": row.prev_hash, "hash": row.hash,
                        "redacted": True})
    return out, {"entries": len(out), "full_entries": sum(1 for e in out if not
                                                            e.get("redacted")),
                 "first_seq": first, "last_seq": last, "start_prev_hash": out[0]["prev_hash"],
                 "end_hash": out[-1]["hash"], "object": [OBJECT_TYPE, str(system_id)]}


def extract_problems(entries: list[dict[str, Any]], facts: dict[str, Any]) -> list[str]:
    """Every way the extract fails to chain or to match the manifest's facts."""
    problems: list[str] = []
    if not entries:
        return [] if not facts.get("entries") else [ENTRY.format(
            seq="?", reason="the extract is empty but the manifest lists entries")]
    expected_prev = facts.get("start_prev_hash") or GENESIS_HASH
    expected_seq = facts.get("first_seq") or entries[0].get("seq")
    target = facts.get("object") or [OBJECT_TYPE, None]
    for entry in entries:
        seq = entry.get("seq")
        if seq != expected_seq:
            problems.append(ENTRY.format(seq=seq, reason=f"sequence gap: expected entry "
                                                         f"{expected_seq}"))
        if entry.get("prev_hash") != expected_prev:
            problems.append(ENTRY.format(seq=seq, reason="prev_hash does not match the hash of "
                                                         "the entry before it"))
        if not entry.get("redacted"):
            if any(name not in entry for name in HASHED_FIELDS):
                problems.append(ENTRY.format(seq=seq, reason="fields are missing"))
            elif entry_hash(entry) != entry.get("hash"):
                problems.append(ENTRY.format(seq=seq, reason="content altered: its hash does "
                                                             "not match its fields"))
            elif [entry.get("object_type"), entry.get("object_id")] != list(target):
                problems.append(ENTRY.format(seq=seq, reason="a full entry of another object"))
        expected_prev = entry.get("hash")
        expected_seq = (seq if isinstance(seq, int) else 0) + 1
    last = entries[-1]
    if facts.get("last_seq") != last.get("seq") or facts.get("end_hash") != last.get("hash"):
        problems.append(ENTRY.format(seq=last.get("seq"), reason="the extract does not end "
                                                                 "where the manifest says"))
    full = sum(1 for e in entries if not e.get("redacted"))
    if facts.get("entries") != len(entries) or facts.get("full_entries") != full:
        problems.append(ENTRY.format(seq="*", reason="the number of entries does not match "
                                                     "the manifest"))
    return problems


# --- export -------------------------------------------------------------------------------------


def _kpis_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "system", "campaign", "metric", "value", "source"])
    for r in rows:
        writer.writerow([r["date"], r["system_id"], r["campaign"], r["metric"], repr(r["value"]),
                         r["source"]])
    return out.getvalue().encode("utf-8")


def _content(unit: Unit, system_id: int) -> list[dict[str, Any]]:
    from steward.services.content import item_record

    items = unit.session.scalars(select(ContentItem).where(ContentItem.system_id == system_id)
                                 .order_by(ContentItem.id)).all()
    return [item_record(i) for i in items]


def _evidence_files(unit: Unit, records: list[dict[str, Any]]) -> Iterator[tuple[str, bytes]]:
    root = Path(unit.settings.data_dir).resolve()
    for record in records:
        path = record.get("file_path")
        if not path:
            continue
        resolved = (root / path).resolve() if not Path(path).is_absolute() else Path(
            path).resolve()
        if resolved.is_relative_to(root) and resolved.is_file() and \
                resolved.stat().st_size <= MAX_EVIDENCE_FILE:
            yield f"evidence/files/{record['id']}-{resolved.name}", resolved.read_bytes()


def export_pack(unit: Unit, system_id: int, *, with_pdf: bool = False) -> bytes:
    """The evidence pack of one system, as zip bytes; the export itself is audited."""
    unit.require(EXPORT_PACKS, "export evidence packs")
    auditors.check_visible(unit, system_id, log_view="evidence pack")
    document = reporting.system_document(unit, system_id)
    html = render_system_report(document)
    entries, facts = audit_extract(unit, system_id)
    stored = unit.session.scalars(select(Evidence).where(Evidence.system_id == system_id)
                                  .order_by(Evidence.id)).all()
    listed = [evidence.evidence_record(item, with_payload=True) for item in stored]
    files: dict[str, bytes] = {
        "reports/system-report.html": html.encode("utf-8"),
        "reports/scorecard.json": _json(document["scorecard"]),
        "system.json": _json(document["system"]),
        "incidents.json": _json(document["incidents"]),
        "content.json": _json(_content(unit, system_id)),
        "kpis.csv": _kpis_csv(kpis.list_kpis(unit, system_id=system_id, limit=1_000_000)),
        EXTRACT: "".join(canonical_json(e) + "\n" for e in entries).encode("utf-8"),
    }
    if with_pdf:
        from steward.services.reports.pdf import html_to_pdf

        files["reports/system-report.pdf"] = html_to_pdf(html)
    for record in listed:
        files[f"evidence/{record['id']}-{record['kind']}.json"] = _json(record)
    files.update(dict(_evidence_files(unit, listed)))
    manifest = {
        "format": FORMAT, "steward_version": __version__,
        "created_at": datetime.now(UTC).isoformat(), "created_by": unit.actor.label,
        "system": {"id": system_id, "name": document["system"]["name"]},
        "policy_version": document["scorecard"]["policy_version"],
        "files": [{"path": path, "sha256": _sha(data), "bytes": len(data)}
                  for path, data in sorted(files.items())],
        "audit_extract": {"path": EXTRACT, **facts},
    }
    written = manifest_bytes(manifest)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as pack:
        pack.writestr(MANIFEST, written)
        for path, data in sorted(files.items()):
            pack.writestr(path, data)
    unit.audit("evidence.export", OBJECT_TYPE, system_id, after={
        "manifest_sha256": json.loads(written)["manifest_sha256"], "files": len(files),
        "audit_span": [facts["first_seq"], facts["last_seq"]], "pdf": with_pdf})
    return buffer.getvalue()


# --- verification -------------------------------------------------------------------------------


@dataclass
class PackCheck:
    """What :func:`verify_pack` found; ``problems`` empty means the pack verifies."""

    files: int = 0
    entries: int = 0
    system: dict[str, Any] | None = None
    extract: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "files": self.files, "entries": self.entries,
                "system": self.system, "audit_extract": self.extract,
                "problems": self.problems}


def _read_manifest(pack: zipfile.ZipFile, check: PackCheck) -> dict[str, Any] | None:
    try:
        raw = pack.read(MANIFEST)
    except KeyError:
        check.problems.append(NO_MANIFEST)
        return None
    except (zipfile.BadZipFile, OSError) as exc:
        check.problems.append(FILE_CORRUPT.format(path=MANIFEST, problem=exc))
        return None
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        check.problems.append(BAD_MANIFEST.format(problem="not valid JSON"))
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        check.problems.append(BAD_MANIFEST.format(problem=f"not a {FORMAT} manifest"))
        return None
    if manifest_bytes(manifest) != raw:
        check.problems.append(BAD_MANIFEST.format(
            problem="altered: its content does not match its manifest_sha256"))
    return manifest


def verify_pack(source: str | Path | bytes) -> PackCheck:
    """Check every file against the manifest and the audit extract against its chain."""
    check = PackCheck()
    name = "the pack" if isinstance(source, bytes) else str(source)
    try:
        pack = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, OSError):
        raise InvalidInput(NOT_A_PACK.format(name=name)) from None
    with pack:
        manifest = _read_manifest(pack, check)
        if manifest is None:
            return check
        check.system = manifest.get("system")
        listed = {f.get("path"): f for f in manifest.get("files", []) if isinstance(f, dict)}
        contents: dict[str, bytes] = {}
        for path, item in listed.items():
            try:
                data = pack.read(path)
            except KeyError:
                check.problems.append(FILE_MISSING.format(path=path))
                continue
            except (zipfile.BadZipFile, OSError, ValueError) as exc:
                check.problems.append(FILE_CORRUPT.format(path=path, problem=exc))
                continue
            check.files += 1
            contents[path] = data
            if len(data) != item.get("bytes"):
                check.problems.append(FILE_SIZE.format(path=path))
            if _sha(data) != item.get("sha256"):
                check.problems.append(FILE_CHANGED.format(path=path))
        for path in pack.namelist():
            if path != MANIFEST and path not in listed:
                check.problems.append(FILE_UNLISTED.format(path=path))
    facts = manifest.get("audit_extract") or {}
    check.extract = facts
    raw = contents.get(facts.get("path", EXTRACT))
    if raw is None:
        return check
    entries = []
    for number, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), start=1):
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            check.problems.append(ENTRY.format(seq=f"on line {number}", reason="not valid JSON"))
            return check
    check.entries = len(entries)
    check.problems.extend(extract_problems(entries, facts))
    return check


def compare_with_log(unit: Unit, source: str | Path | bytes) -> list[str]:
    """Problems where the pack's extract differs from the live audit log (every seq and hash)."""
    unit.require(EXPORT_PACKS, "compare evidence packs with the audit log")
    with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as pack:
        lines = pack.read(EXTRACT).decode("utf-8").splitlines()
    entries = [json.loads(line) for line in lines if line.strip()]
    if not entries:
        return []
    live = {row.seq: row.hash for row in unit.session.execute(
        select(AuditEntry.seq, AuditEntry.hash).where(
            AuditEntry.seq >= entries[0]["seq"], AuditEntry.seq <= entries[-1]["seq"]))}
    return [ENTRY.format(seq=e["seq"], reason="its hash differs from the live audit log")
            for e in entries if live.get(e["seq"]) != e["hash"]]
