"""Reversible tokens: deterministic per vault key, one-to-one, different under another key, never
equal to a pseudonym; the vault opens them again, and refuses malformed, unknown, foreign and
altered entries; the output and the vault file hold no raw value of a tokenized column."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.engines.privacy.conftest import KEY, leaked

from steward.engines.privacy import (
    TOKEN_PREFIX,
    VaultKey,
    VaultTarget,
    anonymize_table,
    parse_plan,
    plan_for,
    reveal,
    token,
    vault_token,
)
from steward.errors import InvalidInput, NotFound

SECRET = b"vault-secret-for-tests-0123456789"
OTHER_SECRET = b"another-vault-secret-entirely-000"


def _run(source, plan, tmp_path: Path, secret: bytes = SECRET, name: str = "run"):  # type: ignore[no-untyped-def]
    key = VaultKey.derive(secret)
    target = VaultTarget(key=key, path=tmp_path / f"{name}.vault.parquet")
    done = anonymize_table(source, plan, out=tmp_path / f"{name}.parquet", key=KEY, vault=target)
    return done, key, target


def _tokenizing_plan(customers_path: Path):  # type: ignore[no-untyped-def]
    plan = plan_for(customers_path)
    steps = dict(plan.columns)
    steps["email"] = parse_plan({"columns": {"email": "tokenize"}}).columns["email"]
    steps["customer_id"] = parse_plan({"columns": {"customer_id": "tokenize"}}).columns[
        "customer_id"]
    return plan.model_copy(update={"columns": steps})


def test_tokens_are_deterministic_per_key_and_differ_between_keys() -> None:
    key, other = VaultKey.derive(SECRET), VaultKey.derive(OTHER_SECRET)
    assert vault_token(key, "ada@example.com") == vault_token(VaultKey.derive(SECRET),
                                                              "ada@example.com")
    assert vault_token(key, "ada@example.com") != vault_token(other, "ada@example.com")
    assert vault_token(key, "ada@example.com") != vault_token(key, "bob@example.com")
    assert key.key_id != other.key_id and len(key.key_id) == 12
    assert "vault-secret" not in repr(key)
    # a token is never the pseudonym of the same value, even under the same secret
    assert vault_token(key, "x").removeprefix(TOKEN_PREFIX) != token(SECRET, "x")


def test_round_trip_through_the_vault(customers, customers_path, tmp_path) -> None:
    plan = _tokenizing_plan(customers_path)
    done, key, target = _run(customers_path, plan, tmp_path)
    output = pq.read_table(done.output)
    raw = customers.to_pylist()
    kept = {r["customer_id"]: r for r in raw}
    assert done.vault is not None and done.vault["columns"] == ["customer_id", "email"]
    assert done.vault["entries"] == len(set(customers.column("email").to_pylist())) + len(kept)
    # one-to-one: as many distinct tokens as distinct values, each the SQL's own token
    ids = output.column("customer_id").to_pylist()
    assert len(set(ids)) == len(ids)
    assert all(t.startswith(TOKEN_PREFIX) for t in ids)
    sample = ids[:25]
    opened = reveal([target.path], sample, key)
    assert [o.token for o in opened] == sample
    for item in opened:
        assert item.column == "customer_id" and vault_token(key, item.value) == item.token
        assert item.value in kept
    email_token = output.column("email")[0].as_py()
    [email] = reveal([target.path], [email_token], key)
    assert email.column == "email" and email.value in {r["email"] for r in raw}


def test_no_raw_value_of_a_tokenized_column_in_the_output_or_the_vault(
        customers, customers_path, tmp_path) -> None:
    done, _, target = _run(customers_path, _tokenizing_plan(customers_path), tmp_path)
    output = pq.read_table(done.output)
    assert leaked(customers, output) == {}
    emails = set(customers.column("email").to_pylist())
    ids = set(customers.column("customer_id").to_pylist())
    cells = {v for c in ("email", "customer_id") for v in output.column(c).to_pylist()}
    assert not cells & (emails | ids)
    blob = target.path.read_bytes()
    assert not any(e.encode() in blob for e in list(emails)[:200])
    assert not any(i.encode() in blob for i in list(ids)[:200])


def test_nulls_stay_null_and_normalization_is_what_the_vault_keeps(tmp_path) -> None:
    table = pa.table({"email": [" Ada@Example.com", "ada@example.com", None, "O'Neil@x.org"]})
    plan = parse_plan({"suppress_small_classes": False,
                       "columns": {"email": {"transform": "tokenize", "normalize": "lower"}}})
    done, key, target = _run(table, plan, tmp_path)
    tokens = pq.read_table(done.output).column("email").to_pylist()
    assert tokens[0] == tokens[1] == vault_token(key, "ada@example.com") and tokens[2] is None
    assert [o.value for o in reveal([target.path], [tokens[0], tokens[3]], key)] == [
        "ada@example.com", "o'neil@x.org"]
    assert done.vault["entries"] == 2


def test_bad_unknown_foreign_and_altered_tokens_are_refused(tmp_path) -> None:
    table = pa.table({"account": ["A-1", "B-2", "C-3"]})
    plan = parse_plan({"suppress_small_classes": False, "columns": {"account": "tokenize"}})
    done, key, target = _run(table, plan, tmp_path)
    tokens = pq.read_table(done.output).column("account").to_pylist()
    with pytest.raises(InvalidInput, match="not a vault token"):
        reveal([target.path], ["tok_xyz"], key)
    with pytest.raises(InvalidInput, match="not a vault token"):
        reveal([target.path], [tokens[0].removeprefix(TOKEN_PREFIX)], key)  # a pseudonym shape
    unknown = TOKEN_PREFIX + "0" * 32
    with pytest.raises(NotFound, match=f"no vault entry for {unknown}"):
        reveal([target.path], [tokens[0], unknown], key)
    with pytest.raises(InvalidInput, match="made with vault key"):
        reveal([target.path], [tokens[0]], VaultKey.derive(OTHER_SECRET))
    # swap two sealed values: each is bound to its own token, so neither opens
    vault = pq.read_table(target.path)
    sealed = vault.column("sealed").to_pylist()
    swapped = vault.set_column(4, "sealed", pa.array([sealed[1], sealed[0], *sealed[2:]],
                                                     pa.binary()))
    altered = tmp_path / "altered.parquet"
    pq.write_table(swapped, altered)
    with pytest.raises(InvalidInput, match="does not open"):
        reveal([altered], [vault.column("token")[0].as_py()], key)


def test_a_plan_that_tokenizes_needs_a_vault_and_writes_nothing_without_one(tmp_path) -> None:
    table = pa.table({"account": ["A-1"]})
    plan = parse_plan({"suppress_small_classes": False, "columns": {"account": "tokenize"}})
    with pytest.raises(InvalidInput, match="tokenizes account but no vault"):
        anonymize_table(table, plan, out=tmp_path / "out.parquet", key=None)
    taken = tmp_path / "taken.parquet"
    taken.write_bytes(b"x")
    target = VaultTarget(key=VaultKey.derive(SECRET), path=taken)
    with pytest.raises(InvalidInput, match="already exists"):
        anonymize_table(table, plan, out=tmp_path / "out.parquet", key=None, vault=target)
    assert not (tmp_path / "out.parquet").exists()
