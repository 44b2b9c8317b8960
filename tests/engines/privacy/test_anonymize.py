"""Anonymization: the generated plan leaves no raw identifier; tokens are keyed HMACs."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.engines.privacy.conftest import KEY, OTHER_KEY, leaked

from steward.engines.backends import open_table
from steward.engines.privacy import (
    Plan,
    anonymize_table,
    hmac_sql,
    key_id,
    parse_plan,
    plan_for,
    token,
)
from steward.errors import InvalidInput


@pytest.fixture(scope="module")
def plan(customers_path: Path) -> Plan:
    return plan_for(customers_path)


def test_the_generated_plan_leaves_no_raw_email_phone_or_name_anywhere(
        customers, customers_path, plan, tmp_path):
    out = tmp_path / "anon.parquet"
    result = anonymize_table(customers_path, plan, out=out, key=KEY)
    output = pq.read_table(out)
    assert leaked(customers, output) == {}
    assert result.rows_out == output.num_rows > 0.8 * customers.num_rows
    # names are gone, identifiers keep their column names, free text is still there
    assert "first_name" not in output.column_names and "email" in output.column_names
    notes = [n for n in output.column("notes").to_pylist() if n]
    assert any("<EMAIL_ADDRESS>" in n for n in notes) and any("<PERSON>" in n for n in notes)
    assert any(n == "No issues reported." for n in notes)
    assert result.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()


def test_csv_output_leaves_nothing_either(customers, customers_path, plan, tmp_path):
    out = tmp_path / "anon.csv"
    anonymize_table(customers_path, plan, out=out, key=KEY)
    output = duckdb.read_csv(str(out)).to_arrow_table()
    assert leaked(customers, output) == {}


def test_tokens_are_keyed_hmacs_deterministic_and_one_to_one(customers, customers_path, plan,
                                                              tmp_path):
    no_suppression = plan.model_copy(update={"suppress_small_classes": False})
    first = pq.read_table(anonymize_table(customers_path, no_suppression,
                                          out=tmp_path / "a.parquet", key=KEY).output)
    again = pq.read_table(anonymize_table(customers_path, no_suppression,
                                          out=tmp_path / "b.parquet", key=KEY).output)
    other = pq.read_table(anonymize_table(customers_path, no_suppression,
                                          out=tmp_path / "c.parquet", key=OTHER_KEY).output)
    emails = customers.column("email").to_pylist()
    tokens = first.column("email").to_pylist()
    assert tokens == again.column("email").to_pylist()
    assert tokens == [token(KEY, e.lower()) for e in emails]
    assert len(set(tokens)) == len(set(e.lower() for e in emails))
    assert not set(tokens) & set(other.column("email").to_pylist())
    phones = [token(KEY, "".join(ch for ch in p if ch.isdigit()))
              for p in customers.column("phone").to_pylist()]
    assert first.column("phone").to_pylist() == phones


@pytest.mark.parametrize("key", [b"k", b"x" * 64, b"y" * 65, "clé-ünicode".encode()])
@pytest.mark.parametrize("value", ["ada@example.com", "", "Zoë O'Brien", "☎ +1 415 555 0100"])
def test_sql_hmac_equals_python_hmac(key, value):
    from steward.engines.privacy._sql import duckdb_key_statements

    con = duckdb.connect()
    for statement in duckdb_key_statements(key):
        con.execute(statement)
    got = con.execute(f"SELECT {hmac_sql('duckdb', '?')}", [value]).fetchone()[0]
    assert got == hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


def test_key_id_is_public_and_per_key():
    assert key_id(KEY) != key_id(OTHER_KEY) and KEY.hex() not in key_id(KEY)


def test_each_transformation(tmp_path):
    table = pa.table({
        "card": ["4111 1111 1111 1111", "12"], "age": [34, 71], "born": ["1990-05-17", "bad"],
        "zip": [2139, 94110], "state": ["ca", "New York"], "city": ["Paris", "Lyon"],
        "income": [5.0, 900.0], "spend": [100.0, None], "keep": ["a", "b"]})
    plan = parse_plan({"suppress_small_classes": False, "columns": {
        "card": {"transform": "mask", "keep_last": 4},
        "age": {"transform": "generalize", "bands": [18, 35, 65]},
        "born": {"transform": "generalize", "to": "month"},
        "zip": {"transform": "generalize", "digits": 3},
        "state": {"transform": "generalize", "regions": "us_census"},
        "city": {"transform": "generalize", "map": {"Paris": "Île-de-France"}},
        "income": {"transform": "top_bottom", "low": 10, "high": 500},
        "spend": {"transform": "noise", "scale": 0.01, "round": 2},
        "keep": "keep"}})
    out = tmp_path / "t.parquet"
    anonymize_table(table, plan, out=out, key=None)
    got = pq.read_table(out).to_pydict()
    assert got["card"] == ["**** **** **** 1111", "**"]
    assert got["age"] == ["18-34", "65+"]
    assert got["born"] == ["1990-05", None]
    assert got["zip"] == ["021", "941"]
    assert got["state"] == ["West", "Northeast"]
    assert got["city"] == ["Île-de-France", "Other"]
    assert got["income"] == [10.0, 500.0]
    assert 90 < got["spend"][0] < 110 and got["spend"][1] is None
    assert got["keep"] == ["a", "b"]


def test_age_width_bands_and_year(tmp_path):
    table = pa.table({"age": [0, 9, 10, 99], "dob": pa.array([None, 0, 365, 20000],
                                                             type=pa.date32())})
    plan = parse_plan({"suppress_small_classes": False, "columns": {
        "age": {"transform": "generalize", "width": 10},
        "dob": {"transform": "generalize", "to": "year"}}})
    anonymize_table(table, plan, out=tmp_path / "o.parquet", key=None)
    got = pq.read_table(tmp_path / "o.parquet").to_pydict()
    assert got == {"age": ["0-9", "0-9", "10-19", "90-99"],
                   "dob": [None, "1970", "1971", "2024"]}


def test_suppression_reaches_k(customers_path, plan, tmp_path):
    from steward.engines.privacy import risk

    out = tmp_path / "s.parquet"
    result = anonymize_table(customers_path, plan, out=out, key=KEY)
    report = risk(out, plan.quasi_identifiers, k=plan.k)
    assert report.min_class_size >= plan.k and result.suppressed > 0
    assert report.rows == result.rows_out


@pytest.mark.parametrize("document, message", [
    ({"columns": {"nope": "drop"}}, "column 'nope'"),
    ({"columns": {"email": {"transform": "encrypt"}}}, "unknown transform 'encrypt'"),
    ({"columns": {"email": {"transform": "pseudonym", "key": "hunter2"}}}, "must not hold a key"),
    ({"pseudonym_key": "abc", "columns": {}}, "must not hold a key"),
    ({"columns": {"age": {"transform": "generalize"}}}, "exactly one of"),
    ({"columns": {"notes": {"transform": "redact", "also": ["ghost"]}}}, "'ghost'"),
    ({"quasi_identifiers": ["first_name"], "columns": {"first_name": "drop"}}, "drops"),
])
def test_a_bad_plan_is_one_line_and_writes_nothing(customers_path, tmp_path, document, message):
    out = tmp_path / "never.parquet"
    with pytest.raises(InvalidInput) as caught:
        anonymize_table(customers_path, parse_plan(document), out=out, key=KEY)
    assert message in caught.value.message and "\n" not in caught.value.message
    assert not out.exists()


def test_pseudonyms_need_a_key_and_outputs_are_not_overwritten(customers_path, plan, tmp_path):
    with pytest.raises(InvalidInput, match="no pseudonym key"):
        anonymize_table(customers_path, plan, out=tmp_path / "o.parquet", key=None)
    existing = tmp_path / "exists.parquet"
    existing.write_bytes(b"x")
    with pytest.raises(InvalidInput, match="already exists"):
        anonymize_table(customers_path, plan, out=existing, key=KEY)
    assert existing.read_bytes() == b"x"


def test_the_plan_round_trips_through_yaml(plan):
    text = plan.to_yaml()
    assert parse_plan(text) == plan
    assert "key:" not in text.replace("keep", "")


def test_a_duckdb_table_on_a_connection_works_too(customers, tmp_path):
    con = duckdb.connect()
    con.register("crm", customers)
    plan = parse_plan({"suppress_small_classes": False,
                       "columns": {"email": {"transform": "pseudonym", "normalize": "lower"}}})
    with open_table("crm", connection=con) as table:
        from steward.engines.privacy import anonymize

        anonymize(table, plan, out=tmp_path / "c.parquet", key=KEY)
    assert pq.read_table(tmp_path / "c.parquet").column("email")[0].as_py() == token(
        KEY, customers.column("email")[0].as_py().lower())


def test_names_are_redacted_by_row_when_there_are_too_many_for_a_vocabulary():
    from steward.engines.privacy import ColumnRedaction, Redactor

    batch = pa.RecordBatch.from_pydict({
        "notes": ["Zebedee asked for ada.z@example.org", None, "", "nothing personal"],
        "__steward_also_first": ["Zebedee", "Ann", "Bo", "Cy"],
        "__steward_also_email": ["ada.z@example.org", None, None, None]})
    redactor = Redactor([ColumnRedaction("notes", also=["first", "email"],
                                         name_columns=["first"], row_name_columns=["first"],
                                         labels={"email": "EMAIL_ADDRESS"})])
    out = redactor(batch)
    assert out.schema.names == ["notes"]
    assert out.column(0).to_pylist() == ["<PERSON> asked for <EMAIL_ADDRESS>", None, "",
                                         "nothing personal"]
    assert redactor.totals() == {"notes": {"EMAIL_ADDRESS": 1, "PERSON": 1}}
