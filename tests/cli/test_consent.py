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
