"""``steward content``: scan exit codes, JSON shape, batch JSON Lines, sign and verify."""

import json
import struct
import zlib

from steward.cli.main import main

FOOTER = ("\nAdvertisement. Unsubscribe: https://northwind.example/u\n"
          "Northwind Outfitters, 100 Harbor Street, Portland, OR 97201")


def test_scan_exit_codes_and_json(tmp_path, capsys, cli_env) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "good.txt"
    good.write_text("Our boots are 20% off this week." + FOOTER)
    assert main(["content", "scan", str(good), "--channel", "email", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "pass" and {f["severity"] for f in out["findings"]} <= {"info"}
    bad = tmp_path / "bad.txt"
    bad.write_text("Our boots are 20% off this week.")
    assert main(["content", "scan", str(bad), "--channel", "email", "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "block"
    first = out["findings"][0]
    assert set(first) >= {"rule", "start", "end", "text", "severity", "citation", "suggestion"}
    testimonial = tmp_path / "t.txt"
    testimonial.write_text('"Best boots ever!" - Sam, verified buyer')
    assert main(["content", "scan", str(testimonial), "--ai-generated", "--format", "json"]) == 1
    rules = {f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert "reviews.ai-testimonial-in-copy" in rules
    assert main(["content", "scan", str(tmp_path / "missing.txt")]) == 2
    assert main(["content", "scan", str(good), "--channel", "fax"]) == 2


def test_scan_pii_offsets_are_characters(tmp_path, capsys, cli_env) -> None:  # type: ignore[no-untyped-def]
    text = "Écrivez à ada@example.com"
    (tmp_path / "x.txt").write_text(text)
    assert main(["content", "scan", str(tmp_path / "x.txt"), "--format", "json"]) == 1
    finding = json.loads(capsys.readouterr().out)["findings"][0]
    assert finding["entity_type"] == "EMAIL_ADDRESS"
    assert text[finding["start"]:finding["end"]] == "ada@example.com"


def test_batch_jsonl_in_input_order(tmp_path, capsys, cli_env) -> None:  # type: ignore[no-untyped-def]
    lines = [{"id": 1, "text": "Nice boots."},
             {"id": 2, "text": "Bot: Hello!\nUser: hi", "channel": "chat"},
             {"id": 3, "text": "Hi", "metadata": {"ai_generated": True}, "channel": "web"}]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    assert main(["content", "scan", "--jsonl", str(path), "--format", "json"]) == 1
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(o["id"], o["verdict"]) for o in out] == [(1, "pass"), (2, "block"), (3, "review")]
    path.write_text('{"id": 1, "text": "ok"}\nnot json\n')
    assert main(["content", "scan", "--jsonl", str(path)]) == 2
    path.write_text('{"id": 1, "text": "Nice boots."}\n')
    assert main(["content", "scan", "--jsonl", str(path), "--format", "json"]) == 0


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes(range(y, y + 12)) for y in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_keys_sign_verify_and_register(tmp_path, capsys, cli_env) -> None:  # type: ignore[no-untyped-def]
    image, signed = tmp_path / "hero.png", tmp_path / "hero.signed.png"
    image.write_bytes(_png())
    assert main(["content", "verify", str(image)]) == 1  # no credentials
    assert main(["content", "keys", "init", "--org", "Northwind"]) == 0
    assert main(["content", "sign", str(image), "--out", str(signed),
                 "--campaign", "spring"]) == 0
    capsys.readouterr()
    assert main(["content", "verify", str(signed), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "Trusted"
    data = bytearray(signed.read_bytes())
    at = data.index(b"IDAT") + 10
    data[at] ^= 1
    signed.write_bytes(bytes(data))
    assert main(["content", "verify", str(signed), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["state"] == "Invalid"
    assert main(["content", "assets", "list", "--format", "json"]) == 0
    assert [a["campaign"] for a in json.loads(capsys.readouterr().out)] == ["spring"]
