"""A realistic customer table, and the checks that no raw identifier survives anonymization."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from steward.engines.privacy.synthetic import synthetic_customers

ROWS = 3000
KEY = b"test-pseudonym-key-0123456789abcdef"
OTHER_KEY = b"another-key-entirely-different-000"
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_WORD = re.compile(r"[^\W\d_]+")
_TOKEN = re.compile(r"^(tok_)?[0-9a-f]{32}$")  # a pseudonym or token: "ada" may be hex


@pytest.fixture(scope="session")
def customers() -> pa.Table:
    return synthetic_customers(ROWS, seed=11)


@pytest.fixture(scope="session")
def customers_path(tmp_path_factory: pytest.TempPathFactory, customers: pa.Table) -> Path:
    path = tmp_path_factory.mktemp("privacy") / "customers.parquet"
    pq.write_table(customers, path)
    return path


def cells(table: pa.Table) -> list[str]:
    """Every cell of a table as text (nulls left out)."""
    out: list[str] = []
    for column in table.columns:
        out.extend(str(v) for v in column.to_pylist() if v is not None)
    return out


def leaked(raw: pa.Table, output: pa.Table) -> dict[str, set[str]]:
    """Raw e-mails, phones, names, customer ids and street addresses found in any output cell:
    e-mails by shape, phones by their ten digits anywhere in a cell's digits, names and ids as
    whole words, addresses as substrings."""
    text = cells(output)
    found: dict[str, set[str]] = {}
    emails = {e.lower() for e in raw.column("email").to_pylist()}
    found["email"] = {m.lower() for cell in text for m in _EMAIL.findall(cell)} & emails
    phones = {re.sub(r"\D", "", p) for p in raw.column("phone").to_pylist()}
    windows: set[str] = set()
    for cell in text:
        digits = re.sub(r"\D", "", cell)
        windows.update(digits[i:i + 10] for i in range(max(0, len(digits) - 9)))
    found["phone"] = windows & phones
    names = {n.lower() for c in ("first_name", "last_name") for n in raw.column(c).to_pylist()}
    words = {w.lower() for cell in text if not _TOKEN.match(cell) for w in _WORD.findall(cell)}
    found["name"] = words & names
    ids = set(raw.column("customer_id").to_pylist())
    found["customer_id"] = {w for cell in text for w in re.findall(r"C\d{8}", cell)} & ids
    joined = "\n".join(text)
    found["street_address"] = {a for a in set(raw.column("street_address").to_pylist())
                               if a in joined}
    return {k: v for k, v in found.items() if v}


@pytest.fixture
def read() -> Any:
    return lambda path: pq.read_table(path)
