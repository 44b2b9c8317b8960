import json

import pytest

from steward.cli.main import main


def test_users_add_and_list_json(cli_env, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert main(["users", "add", "leo", "--roles", "legal,privacy",
                 "--password", "pw-12345678"]) == 0
    capsys.readouterr()
    assert main(["users", "list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == [{**rows[0], "username": "leo", "roles": ["legal", "privacy"]}]


def test_users_list_table_is_the_default(cli_env, capsys) -> None:  # type: ignore[no-untyped-def]
    main(["users", "add", "maya", "--roles", "marketing"])
    capsys.readouterr()
    assert main(["users", "list"]) == 0
    assert "maya" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["users", "add", "bob", "--roles", "wizard"], "unknown role 'wizard'"),
        (["users", "add", "bob", "--roles", "auditor", "--expires", "soon"], "--expires"),
        (["users", "list", "--format", "xml"], "xml"),
        (["tokens", "revoke", "999"], "no API token with id 999"),
        (["tokens", "create", "nobody"], "no user named 'nobody'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli_env, capsys, argv, message) -> None:  # type: ignore[no-untyped-def]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_tokens_create_prints_the_token_last_and_revoke(cli_env, capsys) -> None:  # type: ignore[no-untyped-def]
    main(["users", "add", "ian", "--roles", "it"])
    capsys.readouterr()
    assert main(["tokens", "create", "ian", "--name", "ci"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert token.startswith("stw_") and len(token) > 40
    main(["tokens", "list", "--format", "json"])
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["status"] == "active" and token not in json.dumps(listed)
    assert main(["tokens", "revoke", str(listed[0]["id"])]) == 0
    assert "revoked token" in capsys.readouterr().out
    main(["tokens", "list", "--format", "json"])
    assert json.loads(capsys.readouterr().out)[0]["status"] == "revoked"
