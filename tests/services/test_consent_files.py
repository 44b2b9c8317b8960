"""Consent on files for the API and the web: confined reads, outputs under audiences/, bulk
opt-outs from a file, an upload or a list (dated, so a repeat adds nothing), one-line errors
that never show the server's paths."""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from steward.errors import InvalidInput
from steward.services import consent, consent_files, systems, users
from steward.services.runtime import Actor, Runtime

WHEN = "2025-06-01T12:00:00Z"


def _data(runtime: Runtime) -> Path:
    folder = Path(runtime.settings.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_filter_file_writes_under_audiences_and_answers_relative_paths(
        runtime: Runtime, operator: Actor) -> None:
    data = _data(runtime)
    (data / "lists").mkdir()
    (data / "lists" / "spring.csv").write_text("email\na@x\nb@x\nc@x\n")
    with runtime.unit(operator) as unit:
        consent.record_events(unit, [
            {"subject": "a@x", "purpose": "measurement", "status": "granted"},
            {"subject": "b@x", "purpose": "measurement", "status": "denied"}])
        result = consent_files.filter_file(unit, source="lists/spring.csv",
                                           purpose="measurement", subject_column="email",
                                           write_denied=True)
        named = consent_files.filter_file(unit, source="lists/spring.csv",
                                          purpose="measurement", subject_column="email",
                                          out="spring-ok.csv")
    assert (result["rows"], result["allowed"]) == (3, 1)
    assert result["by_reason"]["denied"] == 1 and result["by_reason"]["no_record"] == 1
    assert result["source"] == "lists/spring.csv" and result["verdict"] == "pass"
    assert result["outputs"]["allowed"].startswith("audiences/spring-allowed-")
    assert result["outputs"]["denied"].startswith("audiences/spring-refused-")
    refused = pq.read_table(data / result["outputs"]["denied"]).to_pylist()
    assert sorted(r["consent_reason"] for r in refused) == ["denied", "no_record"]
    assert named["outputs"] == {"allowed": "audiences/spring-ok.csv"}
    assert (data / "audiences" / "spring-ok.csv").read_text().splitlines() == ["email", "a@x"]


@pytest.mark.parametrize(("options", "message"), [
    ({"source": "../outside.csv"}, "only files under the data directory"),
    ({"source": "keys/subject.key"}, "keys, vault and consent folders cannot"),
    ({"source": "consent/state.parquet"}, "keys, vault and consent folders cannot"),
    ({"source": "vault/k1"}, "keys, vault and consent folders cannot"),
    ({"source": "*/*.parquet"}, "keys, vault and consent folders cannot"),
    ({"source": "a\x00.csv"}, "cannot hold a NUL character"),
    ({"source": "."}, "name a file or folder inside the data directory"),
    ({"source": "a.csv", "out": "../a.csv"}, "written under audiences/"),
    ({"source": "a.csv", "out": "/tmp/a.parquet"}, "written under audiences/"),
    ({"source": "audiences/b.csv", "out": "b.csv"}, "cannot replace the audience"),
    ({"source": "a.csv", "out": "a.xlsx"}, "write the output as .parquet or .csv"),
    ({"source": "a.csv", "subject_column": "mail"}, "column 'mail' not found in a.csv"),
    ({"source": "bad.parquet"}, "cannot read bad.parquet"),
    ({"source": "a.csv", "purpose": "nope"}, "unknown consent purpose 'nope'"),
])
def test_filter_file_refuses_in_one_line_without_server_paths(
        runtime: Runtime, operator: Actor, options: dict, message: str) -> None:
    data = _data(runtime)
    (data / "a.csv").write_text("subject\na@x\n")
    (data / "audiences").mkdir()
    (data / "audiences" / "b.csv").write_text("subject\na@x\n")
    (data / "bad.parquet").write_bytes(b"PAR1 not really")
    with runtime.unit(operator) as unit, pytest.raises(InvalidInput, match=message) as caught:
        consent_files.filter_file(unit, **{"purpose": "measurement", **options})
    assert str(data.resolve()) not in caught.value.message
    assert not (data / "audiences" / "a.xlsx").exists()


def test_opt_out_list_is_dated_so_a_repeat_adds_nothing(runtime: Runtime,
                                                       operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        first = consent_files.opt_out_subjects(unit, ["Ann@x", "bo@x"], purposes=["measurement"],
                                               jurisdiction="eu", occurred_at=WHEN)
        again = consent_files.opt_out_subjects(unit, ["ann@x", "bo@x"], purposes=["measurement"],
                                               jurisdiction="EU", occurred_at=WHEN)
        state = consent.lookup(unit, "ann@x", purpose="measurement")["purposes"][0]
    assert (first["rows"], first["added"], first["subjects"]) == (2, 2, 2)
    assert (again["added"], again["already_recorded"]) == (0, 2)
    assert state["status"] == "withdrawn" and state["jurisdiction"] == "EU"
    assert state["since"] == "2025-06-01T12:00:00Z"


def test_opt_out_file_and_upload(runtime: Runtime, operator: Actor) -> None:
    data = _data(runtime)
    (data / "unsubscribed.csv").write_text('id,"odd ""column"""\nc@x,1\nd@x,2\n')
    with runtime.unit(operator) as unit:
        from_file = consent_files.opt_out_file(unit, "unsubscribed.csv", subject_column="id",
                                               purposes=["email_marketing"])
        quoted = consent_files.opt_out_file(unit, "unsubscribed.csv",
                                            subject_column='odd "column"',
                                            purposes=["email_marketing"], occurred_at=WHEN)
        uploaded = consent_files.opt_out_upload(unit, "../../Suppression List.txt",
                                                io.BytesIO(b"e@x\n\nf@x\n"), status="denied")
    assert from_file["file"] == "unsubscribed.csv" and from_file["added"] == 2
    assert quoted["added"] == 2  # a quote in a column name is a name, not SQL
    assert uploaded["file"] == "Suppression List.txt" and uploaded["status"] == "denied"
    assert uploaded["added"] == 2 * len(uploaded["purposes"]) > 2


@pytest.mark.parametrize(("call", "message"), [
    (lambda u: consent_files.opt_out_file(u, "missing.csv"), "missing.csv: no such file"),
    (lambda u: consent_files.opt_out_file(u, "../x.csv"), "only files under the data directory"),
    (lambda u: consent_files.opt_out_file(u, "keys/subject.key"), "cannot be read here"),
    (lambda u: consent_files.opt_out_file(u, "people.csv"), "^people.csv: no 'subject' column"),
    (lambda u: consent_files.opt_out_file(u, "people.csv", subject_column="email",
                                          purposes=["nope"]), "unknown consent purpose"),
    (lambda u: consent_files.opt_out_file(u, "people.csv", subject_column="email",
                                          jurisdiction="EU' AS x --"), "must look like EU"),
    (lambda u: consent_files.opt_out_file(u, "people.csv", subject_column="email",
                                          occurred_at="yesterday"), "not an ISO 8601 time"),
    (lambda u: consent_files.opt_out_subjects(u, []), "at least one identifier"),
    (lambda u: consent_files.opt_out_subjects(u, ["a@x", " "]), "empty"),
    (lambda u: consent_files.opt_out_subjects(u, ["x"] * 10_001), "at most 10,000"),
    (lambda u: consent_files.opt_out_upload(u, "list.xlsx", io.BytesIO(b"a")), "upload a .csv"),
    (lambda u: consent_files.opt_out_upload(u, "big.txt", io.BytesIO(b"a@x\n" * 10),
                                            max_bytes=8), "larger than"),
    (lambda u: consent_files.opt_out_upload(u, "l.parquet", io.BytesIO(b"PAR1 junk")),
     "^l.parquet: cannot read"),
])
def test_opt_out_refusals_are_one_line_and_record_nothing(runtime: Runtime, operator: Actor,
                                                           call, message: str) -> None:  # type: ignore[no-untyped-def]
    data = _data(runtime)
    (data / "people.csv").write_text("email\na@x\n")
    with runtime.unit(operator) as unit, pytest.raises(InvalidInput, match=message) as caught:
        call(unit)
    assert str(data.resolve()) not in caught.value.message and "/tmp" not in caught.value.message
    with runtime.unit(operator) as unit:
        assert consent.max_event_id(unit) == 0


def test_files_and_systems_offered_to_the_filter_form(runtime: Runtime, operator: Actor) -> None:
    data = _data(runtime)
    pq.write_table(pa.table({"email": ["a@x"]}), data / "list.parquet")
    for folder in ("keys", "vault", "consent"):
        (data / folder).mkdir(exist_ok=True)
        (data / folder / "hidden.parquet").write_bytes(b"")
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="maya", roles="marketing", password="p" * 12)
        systems.create_system(unit, {"name": "Lookalikes", "purpose": "p", "owner": "maya",
                                     "ai_kinds": ["segmentation"],
                                     "consent_purposes": ["targeted_advertising"]})
        systems.create_system(unit, {"name": "Copy", "purpose": "p", "owner": "maya",
                                     "ai_kinds": ["segmentation"]})
        files = consent_files.audience_files(unit)
        offered = consent_files.audience_systems(unit)
    assert [f["path"] for f in files] == ["list.parquet"]
    assert [(s["name"], s["purposes"]) for s in offered] == [
        ("Lookalikes", ["targeted_advertising"])]
