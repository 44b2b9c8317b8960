"""Evidence packs: export, verify, and fail after one byte of any file or audit entry changes."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from steward.core.audit_chain import canonical_json, entry_hash
from steward.services import auditors, evidence, evidence_packs, kpis, systems, users
from steward.services.evidence_packs import manifest_bytes, verify_pack
from steward.services.runtime import Actor, Runtime


@pytest.fixture
def pack(runtime: Runtime, operator: Actor) -> bytes:
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="maya", roles="marketing")
        users.add_user(unit, username="aud", roles="auditor")
        sid = systems.create_system(unit, {"name": "Mailer", "purpose": "copy", "owner": "maya",
                                           "ai_kinds": ["generative_text"]})["id"]
        other = systems.create_system(unit, {"name": "Other", "purpose": "x", "owner": "maya",
                                             "ai_kinds": ["generative_text"]})["id"]
        evidence.record_evidence(unit, kind="drift_check", title="d", system_id=sid,
                                 payload={"columns": [1, 2]}, verdict="pass",
                                 summary={"drift_share": 0.0})
        systems.update_system(unit, other, {"purpose": "something else"})  # inside the span
        kpis.ingest(unit, [{"date": "2026-01-01", "system": sid, "metric": "cost",
                            "value": 5}])
        return evidence_packs.export_pack(unit, sid)


def rewrite(data: bytes, name: str, change) -> bytes:  # type: ignore[no-untyped-def]
    """The pack with one member's bytes changed (the zip itself stays valid)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for member in source.namelist():
            body = source.read(member)
            target.writestr(member, change(body) if member == name else body)
    return out.getvalue()


def flip(body: bytes, at: int | None = None) -> bytes:
    changed = bytearray(body)
    changed[len(body) // 2 if at is None else at] ^= 0x01
    return bytes(changed)


def test_a_fresh_pack_verifies_and_holds_what_it_says(pack: bytes) -> None:
    check = verify_pack(pack)
    assert check.ok, check.problems
    names = zipfile.ZipFile(io.BytesIO(pack)).namelist()
    assert {"manifest.json", "reports/system-report.html", "reports/scorecard.json",
            "system.json", "kpis.csv", "audit/extract.jsonl"} <= set(names)
    assert any(n.startswith("evidence/") and n.endswith("-drift_check.json") for n in names)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(pack)).read("manifest.json"))
    assert {f["path"] for f in manifest["files"]} == set(names) - {"manifest.json"}
    extract = manifest["audit_extract"]
    assert extract["full_entries"] >= 3 and extract["entries"] > extract["full_entries"]


def test_other_objects_entries_are_redacted(pack: bytes) -> None:
    lines = zipfile.ZipFile(io.BytesIO(pack)).read("audit/extract.jsonl").splitlines()
    entries = [json.loads(line) for line in lines]
    redacted = [e for e in entries if e.get("redacted")]
    assert redacted and all(set(e) == {"seq", "prev_hash", "hash", "redacted"} for e in redacted)
    assert "something else" not in b"".join(lines).decode()
    assert all(entry_hash(e) == e["hash"] for e in entries if not e.get("redacted"))


def test_one_changed_byte_in_any_file_fails_naming_it(pack: bytes) -> None:
    for name in zipfile.ZipFile(io.BytesIO(pack)).namelist():
        check = verify_pack(rewrite(pack, name, flip))
        assert not check.ok, name
        assert any(name in p for p in check.problems), (name, check.problems)


def test_a_changed_audit_entry_is_named_even_with_a_consistent_manifest(pack: bytes) -> None:
    archive = zipfile.ZipFile(io.BytesIO(pack))
    entries = [json.loads(line) for line in archive.read("audit/extract.jsonl").splitlines()]
    target = next(e for e in entries if not e.get("redacted") and e["action"] == "kpi.ingest")
    target["actor"] = "mallory"
    forged = "".join(canonical_json(e) + "\n" for e in entries).encode()
    manifest = json.loads(archive.read("manifest.json"))
    for item in manifest["files"]:
        if item["path"] == "audit/extract.jsonl":
            item["sha256"], item["bytes"] = __import__("hashlib").sha256(forged).hexdigest(), \
                len(forged)
    doctored = rewrite(rewrite(pack, "audit/extract.jsonl", lambda _: forged), "manifest.json",
                       lambda _: manifest_bytes(manifest))
    check = verify_pack(doctored)
    assert check.problems == [f"audit entry {target['seq']}: content altered: its hash does not "
                              f"match its fields"]


def test_a_recomputed_forgery_is_caught_against_the_live_log(runtime: Runtime, operator: Actor,
                                                             pack: bytes) -> None:
    archive = zipfile.ZipFile(io.BytesIO(pack))
    entries = [json.loads(line) for line in archive.read("audit/extract.jsonl").splitlines()]
    last = entries[-1]
    assert not last.get("redacted")
    last["actor"] = "mallory"
    last["hash"] = entry_hash(last)
    forged = "".join(canonical_json(e) + "\n" for e in entries).encode()
    manifest = json.loads(archive.read("manifest.json"))
    manifest["audit_extract"]["end_hash"] = last["hash"]
    for item in manifest["files"]:
        if item["path"] == "audit/extract.jsonl":
            item["sha256"], item["bytes"] = __import__("hashlib").sha256(forged).hexdigest(), \
                len(forged)
    doctored = rewrite(rewrite(pack, "audit/extract.jsonl", lambda _: forged), "manifest.json",
                       lambda _: manifest_bytes(manifest))
    assert verify_pack(doctored).ok  # self-consistent: the pack alone cannot tell
    with runtime.unit(operator) as unit:
        assert evidence_packs.compare_with_log(unit, pack) == []
        assert evidence_packs.compare_with_log(unit, doctored) == [
            f"audit entry {last['seq']}: its hash differs from the live audit log"]


def test_missing_extra_and_broken_zips(pack: bytes) -> None:
    archive = zipfile.ZipFile(io.BytesIO(pack))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for member in archive.namelist():
            if member != "kpis.csv":
                target.writestr(member, archive.read(member))
        target.writestr("extra.txt", b"hello")
    problems = verify_pack(out.getvalue()).problems
    assert "file kpis.csv: listed in the manifest but missing from the pack" in problems
    assert "file extra.txt: in the pack but not in the manifest" in problems
    with pytest.raises(Exception, match="not a zip file"):
        verify_pack(b"not a zip")


def test_auditors_export_only_granted_systems_and_exports_are_audited(runtime: Runtime,
                                                                       operator: Actor,
                                                                       pack: bytes) -> None:
    with runtime.unit(operator) as unit:
        sid = systems.list_systems(unit, search="Mailer")[0]["id"]
        view = users.get_user(unit, "aud")
        maya = users.get_user(unit, "maya")
    auditor = Actor(name="aud", roles=frozenset(view.roles), user_id=view.id)  # type: ignore[arg-type]
    with pytest.raises(Exception, match="no AI system"), runtime.unit(auditor) as unit:
        evidence_packs.export_pack(unit, sid)
    with runtime.unit(operator) as unit:
        auditors.grant(unit, username="aud", system_id=sid)
    with runtime.unit(auditor) as unit:
        assert verify_pack(evidence_packs.export_pack(unit, sid)).ok
    marketer = Actor(name="maya", roles=frozenset(maya.roles), user_id=maya.id)  # type: ignore[arg-type]
    with pytest.raises(Exception, match="may not export"), runtime.unit(marketer) as unit:
        evidence_packs.export_pack(unit, sid)
    with runtime.unit(operator) as unit:
        from steward.services import audit_log
        actions = [e["action"] for e in audit_log.export(unit, object_type="ai_system",
                                                          object_id=str(sid))]
    assert actions.count("evidence.export") == 2
