"""Discovery classes each column; k-anonymity and l-diversity equal a plain group-by's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from steward.engines.privacy import (
    DIRECT,
    FREE_TEXT,
    NON_PERSONAL,
    QUASI,
    SENSITIVE,
    match_name,
    plan_for,
    risk,
    scan,
)


def test_discovery_classes_a_customer_table(customers_path):
    found = {c.name: c for c in scan(customers_path).columns}
    expected = {
        "customer_id": DIRECT, "first_name": DIRECT, "last_name": DIRECT, "email": DIRECT,
        "phone": DIRECT, "street_address": DIRECT, "city": QUASI, "state": QUASI, "zip": QUASI,
        "birth_date": QUASI, "gender": QUASI, "segment": NON_PERSONAL, "spend": NON_PERSONAL,
        "income": SENSITIVE, "notes": FREE_TEXT}
    assert {n: c.pii_class for n, c in found.items()} == expected
    assert found["email"].pii_type == "EMAIL_ADDRESS" and found["email"].confidence > 0.95
    assert found["phone"].pii_type == "PHONE_NUMBER" and found["phone"].value_share > 0.9
    assert found["notes"].embedded_share > 0.2


def test_values_alone_find_identifiers_under_meaningless_names():
    table = pa.table({"c1": ["ada@example.com", "bob@example.org"] * 20,
                      "c2": ["Please call +1 415 823 4417 tomorrow", "no issue"] * 20,
                      "c3": ["a", "b"] * 20})
    found = {c.name: c for c in scan(table).columns}
    assert (found["c1"].pii_class, found["c1"].pii_type) == (DIRECT, "EMAIL_ADDRESS")
    assert found["c2"].pii_class == FREE_TEXT
    assert found["c3"].pii_class == NON_PERSONAL


def test_discovery_result_holds_no_sampled_value(customers, customers_path):
    text = str(scan(customers_path).to_dict())
    assert customers.column("email")[0].as_py() not in text


@pytest.mark.parametrize("name, expected", [
    ("CustomerEmail", "EMAIL_ADDRESS"), ("mobile_phone", "PHONE_NUMBER"), ("DOB", "DATE_OF_BIRTH"),
    ("postal-code", "ZIP_CODE"), ("lastName", "PERSON"), ("agent_notes", "FREE_TEXT"),
    ("order_total", None)])
def test_column_names(name, expected):
    match = match_name(name)
    assert (match[0] if match else None) == expected


def test_the_plan_for_a_customer_table(customers_path):
    steps = {c: s.transform for c, s in plan_for(customers_path).columns.items()}
    assert steps["email"] == steps["phone"] == steps["customer_id"] == "pseudonym"
    assert steps["first_name"] == steps["last_name"] == steps["street_address"] == "drop"
    assert steps["birth_date"] == steps["zip"] == steps["state"] == "generalize"
    assert steps["notes"] == "redact" and steps["income"] == "top_bottom"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_k_anonymity_equals_a_pandas_group_by(seed):
    rng = np.random.default_rng(seed)
    n = 5000
    frame = pd.DataFrame({
        "zip": rng.choice(["021", "100", "606", None], n),
        "age": rng.choice(["20-29", "30-39", "40-49", "50-59", "60-69"], n),
        "gender": rng.choice(["F", "M", "X"], n, p=[0.49, 0.49, 0.02]),
        "diagnosis": rng.choice(["a", "b", "c", None], n, p=[0.7, 0.2, 0.05, 0.05])})
    qi = ["zip", "age", "gender"]
    for k in (2, 5, 40):
        report = risk(frame, qi, k=k, sensitive=["diagnosis"])
        sizes = frame.groupby(qi, dropna=False).size()
        assert report.classes == len(sizes)
        assert report.min_class_size == sizes.min()
        assert report.rows_in_small_classes == sizes[sizes < k].sum()
        assert report.small_classes == (sizes < k).sum()
        distinct = frame.groupby(qi, dropna=False)["diagnosis"].nunique()
        assert report.sensitive["diagnosis"]["min_l"] == distinct.min()
        assert report.to_dict()["satisfied"] == bool(sizes.min() >= k)


def test_risk_refuses_unknown_columns():
    from steward.errors import InvalidInput

    with pytest.raises(InvalidInput, match="'agee'"):
        risk(pa.table({"age": [1]}), ["agee"], k=2)
