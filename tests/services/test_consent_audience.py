"""Audience filtering: counts by reason equal a plain DuckDB group-by; outputs; policy; evidence."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import text

from steward.errors import InvalidInput
from steward.services import consent, consent_audience, consent_ingest, evidence, systems, users
from steward.services.runtime import Actor, Runtime

PURPOSE = "personalised_advertising"


def _ledger(folder: Path, n: int = 3000, seed: int = 7) -> Path:
    rng = np.random.default_rng(seed)
    path = folder / "events.csv"
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["subject", "purpose", "status", "source", "occurred_at", "jurisdiction"])
        for i in range(n):
            for k in range(int(rng.integers(1, 4))):
                status = str(rng.choice(["granted", "denied", "withdrawn"], p=[.5, .3, .2]))
                source = "gpc" if status == "denied" and rng.random() < 0.3 else "web_form"
                place = "US-CA" if i % 5 == 0 else "EU"
                out.writerow([f"p{i}@x.com", PURPOSE, status, source,
                              f"2025-{1 + k:02d}-{1 + i % 27:02d}T08:00:00Z", place])
    return path


def _audience(folder: Path, n: int = 3600) -> Path:
    path = folder / "audience.parquet"
    pq.write_table(pa.table({"Email": [f"P{i}@X.com " for i in range(0, n)],
                             "segment": [i % 4 for i in range(n)]}), path)
    return path


def _expected(events: Path, audience: Path) -> dict[str, int]:
    """The plain DuckDB query: latest status per subject, left-joined, counted by reason."""
    con = duckdb.connect()
    rows = con.execute(f"""
        WITH latest AS (
          SELECT subject, arg_max(status, (occurred_at, rn)) AS status,
                 arg_max(source, (occurred_at, rn)) AS source
          FROM (SELECT *, row_number() OVER () AS rn FROM read_csv('{events}'))
          GROUP BY subject)
        SELECT CASE WHEN l.subject IS NULL THEN 'no_record'
                    WHEN l.status = 'granted' THEN 'allowed'
                    WHEN l.source = 'gpc' THEN 'gpc' ELSE l.status END AS reason, count(*)
        FROM read_parquet('{audience}') a LEFT JOIN latest l
          ON l.subject = lower(trim(a.Email))
        GROUP BY 1""").fetchall()
    return dict(rows)


def test_counts_by_reason_equal_a_plain_duckdb_group_by(runtime: Runtime, operator: Actor,
                                                        tmp_path: Path) -> None:
    events, audience = _ledger(tmp_path), _audience(tmp_path)
    with runtime.unit(operator) as unit:
        consent_ingest.ingest_file(unit, events)
    with runtime.unit(operator) as unit:
        result = consent_audience.filter_audience(
            unit, str(audience), subject_column="Email", purpose=PURPOSE,
            allowed_out=tmp_path / "ok.parquet", denied_out=tmp_path / "no.csv")
    expected = _expected(events, audience)
    got = {"allowed": result["allowed"], **{k: v for k, v in result["by_reason"].items() if v}}
    assert got == expected
    assert result["rows"] == 3600
    allowed = pq.read_table(tmp_path / "ok.parquet")
    assert allowed.num_rows == result["allowed"] and allowed.column_names == ["Email", "segment"]
    refused = duckdb.sql(f"SELECT consent_reason, count(*) FROM read_csv('{tmp_path / 'no.csv'}') "
                         f"GROUP BY 1").fetchall()
    assert dict(refused) == {k: v for k, v in result["by_reason"].items() if v}
    assert result["verdict"] == "pass" and result["policy_version"] == 0


@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_the_compiled_kernel_filters_as_the_sql_hmac_does(runtime: Runtime, operator: Actor,
                                                          tmp_path: Path, suffix: str,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """Large audiences are keyed by the compiled kernel: same counts, same output files."""
    pytest.importorskip("numba")
    from steward.engines.consent import audience as engine

    events, audience = _ledger(tmp_path, n=800), _audience(tmp_path, n=1000)
    if suffix == "csv":
        duckdb.sql(f"COPY (FROM read_parquet('{audience}')) TO '{tmp_path / 'a.csv'}' "
                   f"(FORMAT csv, HEADER true)")
        audience = tmp_path / "a.csv"
    with runtime.unit(operator) as unit:
        consent_ingest.ingest_file(unit, events)
    results, outputs = [], []
    for label, rows in (("sql", -1), ("kernel", 0)):
        monkeypatch.setattr(engine, "KERNEL_MIN_ROWS", rows)
        ok, no = tmp_path / f"{label}-ok.parquet", tmp_path / f"{label}-no.parquet"
        with runtime.unit(operator) as unit:
            result = consent_audience.filter_audience(unit, str(audience), subject_column="Email",
                                                      purpose=PURPOSE, allowed_out=ok,
                                                      denied_out=no)
        results.append({k: result[k] for k in ("rows", "allowed", "by_reason")})
        outputs.append([sorted(pq.read_table(path).to_pylist(), key=str) for path in (ok, no)])
    assert results[0] == results[1] and results[0]["allowed"] > 0
    assert outputs[0] == outputs[1]


def test_an_import_merges_into_the_snapshot_as_a_rebuild_would(runtime: Runtime,
                                                                operator: Actor, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch
                                                                ) -> None:
    """A second import merges the state rows it changed into the snapshot (no full re-read);
    the snapshot then holds exactly what a full rebuild from the database holds."""
    import json

    monkeypatch.setattr(consent_audience, "MERGE_SHARE", 100.0)  # merge whatever changed
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    with runtime.unit(operator) as unit:
        consent_ingest.ingest_file(unit, _ledger(tmp_path / "one", n=600, seed=1))
    folder = Path(runtime.settings.data_dir) / "consent"
    assert "merged" not in json.loads((folder / consent_audience.META).read_text())
    with runtime.unit(operator) as unit:
        consent_ingest.ingest_file(unit, _ledger(tmp_path / "two", n=900, seed=2))
        consent.record_events(unit, [{"subject": "p3@x.com", "purpose": "measurement",
                                      "status": "granted"}])
    meta = json.loads((folder / consent_audience.META).read_text())
    assert meta["merged"] > 0
    with runtime.unit(operator) as unit:
        consent_audience.refresh_snapshot(runtime)  # the recorded event, merged too
        full = consent_audience._rebuild(unit, tmp_path / "full")

    def rows(path: Path) -> list[tuple[object, ...]]:
        return sorted(tuple(r.values()) for r in pq.read_table(path).to_pylist())

    merged = rows(folder / consent_audience.SNAPSHOT)
    assert merged == rows(tmp_path / "full" / consent_audience.SNAPSHOT)
    assert len(merged) == full["rows"] > 900


def test_the_snapshot_holds_the_state_row_for_row_without_a_file_between(
        runtime: Runtime, operator: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The state goes from the database into the Parquet snapshot as it is read (on
    PostgreSQL a streamed ``COPY``): no temporary file, NULLs kept, every row."""
    import tempfile

    with runtime.unit(operator) as unit:
        consent_ingest.ingest_file(unit, _ledger(tmp_path, n=700, seed=3))

    def no_scratch(*args: object, **kwargs: object) -> None:
        raise AssertionError("the export wrote a temporary file")

    monkeypatch.setattr(tempfile, "TemporaryDirectory", no_scratch)
    with runtime.unit(operator) as unit:
        meta = consent_audience._rebuild(unit, tmp_path / "snap")
        state = unit.session.execute(text(
            "SELECT subject_hash, purpose, status, event_id, gpc_at IS NULL FROM consent_state"
        )).all()
    snapshot = duckdb.sql(
        f"SELECT subject_hash, purpose, status, event_id, gpc_at IS NULL FROM read_parquet("
        f"'{tmp_path / 'snap' / consent_audience.SNAPSHOT}')").fetchall()
    assert sorted(snapshot) == sorted(tuple(r) for r in state)
    assert meta["rows"] == len(state) > 600
    assert {r[4] for r in state} == {True, False}  # with and without a GPC signal


def test_delta_after_the_snapshot_and_erasure_rebuild(runtime: Runtime, operator: Actor,
                                                      tmp_path: Path) -> None:
    from steward.services import consent_rights

    audience = tmp_path / "a.csv"
    audience.write_text("subject\nz1@x\nz2@x\n")
    with runtime.unit(operator) as unit:
        consent.record_events(unit, [{"subject": "z1@x", "purpose": PURPOSE, "status": "granted",
                                      "occurred_at": "2025-01-01T00:00:00Z"}])
        first = consent_audience.filter_audience(unit, str(audience), purpose=PURPOSE)
        consent.record_events(unit, [{"subject": "z2@x", "purpose": PURPOSE, "status": "granted",
                                      "occurred_at": "2025-01-02T00:00:00Z"}])
        second = consent_audience.filter_audience(unit, str(audience), purpose=PURPOSE)
        consent_rights.erase_subject(unit, "z1@x", reason="DSR-1")
        third = consent_audience.filter_audience(unit, str(audience), purpose=PURPOSE)
    assert (first["allowed"], second["allowed"], third["allowed"]) == (1, 2, 1)


def test_system_filter_judges_and_records_evidence(runtime: Runtime, operator: Actor,
                                                   tmp_path: Path) -> None:
    audience = tmp_path / "a.csv"
    audience.write_text("subject,country\nq1@x,EU\nq2@x,US-CA\nq3@x,EU\n")
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="maya", roles="marketing", password="p" * 12)
        sid = systems.create_system(unit, {
            "name": "Lookalikes", "purpose": "p", "owner": "maya", "ai_kinds": ["segmentation"],
            "consent_purposes": ["targeted_advertising"]})["id"]
        consent.record_events(unit, [
            {"subject": "q1@x", "purpose": "targeted_advertising", "status": "granted",
             "occurred_at": "2025-01-01T00:00:00Z"},
            {"subject": "q3@x", "purpose": "targeted_advertising", "status": "granted",
             "lawful_basis": "notice_opt_out", "occurred_at": "2025-01-01T00:00:00Z"}])
        result = consent_audience.filter_audience(
            unit, str(audience), system_id=sid, jurisdiction_column="country",
            allowed_out=tmp_path / "ok.csv", criteria=["user.demographic.religious_belief"])
        stored = evidence.latest_evidence(unit, system_id=sid, kind="audience_filter")
    # q1 consented; q2 is in an opt-out jurisdiction with no record; q3 was let through on an
    # opt-out basis, which the EU rule does not accept
    assert result["allowed"] == 2 and result["by_reason"]["jurisdiction"] == 1
    assert result["verdict"] == "block"  # selected on a sensitive category
    fired = {r["id"] for r in result["decision"]["fired"]}
    assert {"privacy.sensitive_audience", "consent.profiling"} <= fired
    assert stored["verdict"] == "block" and stored["payload"]["rows"] == 3
    assert stored["data_fingerprint"]["rows"] == 3


def test_filter_errors_are_one_line(runtime: Runtime, operator: Actor, tmp_path: Path) -> None:
    audience = tmp_path / "a.csv"
    audience.write_text("email\na@x\n")
    with runtime.unit(operator) as unit:
        with pytest.raises(InvalidInput, match="column 'subject' not found"):
            consent_audience.filter_audience(unit, str(audience), purpose=PURPOSE)
        with pytest.raises(InvalidInput, match="not both"):
            consent_audience.filter_audience(unit, str(audience), subject_column="email")
        with pytest.raises(InvalidInput, match=".parquet or .csv"):
            consent_audience.filter_audience(unit, str(audience), subject_column="email",
                                             purpose=PURPOSE, allowed_out=tmp_path / "x.xlsx")


def test_coverage_now_and_by_month(runtime: Runtime, operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        consent.record_events(unit, [
            {"subject": "m1", "purpose": "measurement", "status": "granted",
             "jurisdiction": "EU", "occurred_at": "2025-01-05T00:00:00Z"},
            {"subject": "m2", "purpose": "measurement", "status": "granted",
             "jurisdiction": "EU", "occurred_at": "2025-01-06T00:00:00Z"},
            {"subject": "m2", "purpose": "measurement", "status": "withdrawn",
             "jurisdiction": "EU", "occurred_at": "2025-02-06T00:00:00Z"}])
        data = consent_audience.coverage(unit)
    now = next(c for c in data["current"] if c["purpose"] == "measurement")
    assert (now["people"], now["granted"], now["coverage"]) == (2, 1, 0.5)
    months = [(p["month"], p["coverage"]) for p in data["series"] if p["purpose"] == "measurement"]
    assert months == [("2025-01", 1.0), ("2025-02", 0.5)]


@pytest.mark.spark
def test_spark_gives_the_same_counts(runtime: Runtime, operator: Actor, tmp_path: Path) -> None:
    events, audience = _ledger(tmp_path, n=400), _audience(tmp_path, n=500)
    with runtime.unit(operator) as unit:
        consent_ingest.ingest_file(unit, events)
    with runtime.unit(operator) as unit:
        on_duckdb = consent_audience.filter_audience(unit, str(audience), subject_column="Email",
                                                     purpose=PURPOSE)
        on_spark = consent_audience.filter_audience(
            unit, str(audience), subject_column="Email", purpose=PURPOSE, backend="spark",
            allowed_out=tmp_path / "spark-ok.parquet")
    assert on_spark["by_reason"] == on_duckdb["by_reason"]
    assert on_spark["allowed"] == on_duckdb["allowed"]
    assert pq.read_table(tmp_path / "spark-ok.parquet").num_rows == on_spark["allowed"]
