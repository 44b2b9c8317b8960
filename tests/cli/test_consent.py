import io
import json

from steward.cli.main import main

TC = "CO5dPi4O5dPx2B7DvCENA2CgAAAAAAAAAAAAGewAAM8gAAAA.YAAAAAAAAAAA"
GPP = "DBABMA~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA"


def test_decode_prints_json_lines_in_input_order(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["consent", "decode", TC, GPP, "--format", "json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["kind"] for line in lines] == ["tcf", "gpp"]
    assert lines[0]["cmpId"] == 123 and lines[0]["created"] == "2020-09-09T07:07:49.600Z"
    assert "tcfeuv2" in lines[1]["sections"]


def test_decode_reads_standard_input(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{TC}\n\n{GPP}\n"))
    assert main(["consent", "decode", "-"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_malformed_string_is_one_line_and_non_zero(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["consent", "decode", TC, "CO!!bad"]) == 2
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1
    assert captured.err.strip() == "error: string 2: TC string: bad base64url at character 3"


def test_record_show_check_and_exit_codes(cli_env, capsys, runtime, operator) -> None:  # type: ignore[no-untyped-def]
    from steward.services import systems, users

    with runtime.unit(operator) as unit:
        users.add_user(unit, username="dan", roles="data_science", password="p" * 12)
        sid = systems.create_system(unit, {"name": "Recs", "purpose": "p", "owner": "dan",
                                           "ai_kinds": ["recommender"],
                                           "consent_purposes": ["personalised_content"]})["id"]
    assert main(["consent", "record", "ann@x", "--purpose", "personalised_content",
                 "--status", "granted", "--idempotency-key", "k1"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["created"] is True
    assert main(["consent", "check", "ann@x", "--system", str(sid)]) == 0
    assert "ALLOWED" in capsys.readouterr().out
    assert main(["consent", "check", "bob@x", "--system", str(sid), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["reason"] == "no_record"
    assert main(["consent", "record", "ann@x", "--string", "CO!!bad"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "error: TC string: bad base64url at character 3"


def test_ingest_filter_and_bad_csv_column(cli_env, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    events = tmp_path / "events.csv"
    events.write_text("subject,purpose,status,occurred_at\n"
                      "a@x,measurement,granted,2025-01-01T00:00:00Z\n"
                      "b@x,measurement,withdrawn,2025-01-01T00:00:00Z\n")
    assert main(["consent", "ingest", str(events), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["added"] == 2
    audience = tmp_path / "audience.csv"
    audience.write_text("email\na@x\nb@x\nc@x\n")
    out, denied = tmp_path / "ok.parquet", tmp_path / "refused.csv"
    assert main(["consent", "filter", str(audience), "--purpose", "measurement",
                 "--subject-column", "email", "--out", str(out), "--denied", str(denied),
                 "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["allowed"] == 1 and result["by_reason"]["withdrawn"] == 1
    assert result["by_reason"]["no_record"] == 1 and out.exists() and denied.exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("email,purpose,status\na@x,measurement,granted\n")
    assert main(["consent", "ingest", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "no 'subject' column" in err and "\n" not in err
    assert main(["consent", "filter", str(audience), "--purpose", "measurement",
                 "--out", str(out)]) == 2
    assert "column 'subject' not found" in capsys.readouterr().err


def test_export_erase_and_opt_out(cli_env, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert main(["consent", "record", "z@x", "--purpose", "email_marketing",
                 "--status", "granted"]) == 0
    listing = tmp_path / "optouts.txt"
    listing.write_text("z@x\ny@x\n")
    assert main(["consent", "opt-out", str(listing), "--purpose", "email_marketing",
                 "--format", "json"]) == 0
    capsys.readouterr()
    assert main(["consent", "show", "z@x", "--purpose", "email_marketing",
                 "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["purposes"][0]["reason"] == "withdrawn"
    assert main(["consent", "export", "z@x"]) == 0
    assert len(json.loads(capsys.readouterr().out)["events"]) == 2
    assert main(["consent", "erase", "z@x", "--reason", "DSR 1", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["events_deleted"] == 2


def test_a_dated_opt_out_repeated_adds_nothing(cli_env, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    listing = tmp_path / "optouts.txt"
    listing.write_text("a@x\nb@x\n")
    argv = ["consent", "opt-out", str(listing), "--purpose", "email_marketing",
            "--occurred-at", "2026-11-01T09:00:00Z", "--format", "json"]
    assert main(argv) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(argv) == 0
    again = json.loads(capsys.readouterr().out)
    assert (first["added"], again["added"], again["already_recorded"]) == (2, 0, 2)
    assert main(["consent", "export", "a@x"]) == 0
    events = json.loads(capsys.readouterr().out)["events"]
    assert len(events) == 1 and events[0]["occurred_at"].startswith("2026-11-01T09:00:00")
    assert main([*argv[:-4], "--occurred-at", "yesterday"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
