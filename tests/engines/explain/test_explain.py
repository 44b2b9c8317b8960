"""The explain engine: SHAP values add up to the model output; reasons and customer text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from steward.engines.explain import (
    Explanation,
    customer_text,
    describe_model,
    explain,
    join_and,
    load_model,
    show_value,
)
from steward.errors import InvalidInput, NotFound


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 600
    frame = pd.DataFrame({
        "customer_id": np.arange(1000, 1000 + n),
        "spend": rng.gamma(2.0, 500.0, n),
        "orders": rng.poisson(6, n).astype(float),
        "tenure": rng.integers(0, 15, n).astype(float),
        "region": rng.choice(["north", "south", "east"], n),
    })
    logit = (frame.spend / 600 + 0.2 * frame.orders + 0.1 * frame.tenure - 4
             + (frame.region == "north") + rng.normal(0, 1, n))
    frame["took_offer"] = (logit > 0).astype(int)
    return frame


NUMERIC = ["spend", "orders", "tenure"]


def _additive(result: Explanation) -> None:
    assert result.additivity_error < 1e-6
    np.testing.assert_allclose(result.base_value + result.values.sum(axis=1), result.outputs,
                               atol=1e-6)


def test_gradient_boosting_is_explained_exactly_in_log_odds(table: pd.DataFrame) -> None:
    from sklearn.ensemble import GradientBoostingClassifier

    model = GradientBoostingClassifier(n_estimators=30, random_state=0).fit(
        table[NUMERIC], table.took_offer)
    result = explain(model, table, row=1005)
    assert result.method == "tree" and result.output == "log-odds"
    _additive(result)
    np.testing.assert_allclose(result.outputs[:-1], model.decision_function(
        result.frame.iloc[:-1]), atol=1e-9)
    person = table[table.customer_id == 1005][NUMERIC]
    total = result.base_value + sum(c["contribution"] for c in result.contributions(1005))
    assert total == pytest.approx(model.decision_function(person)[0], abs=1e-6)
    importance = result.global_importance()
    assert [i["rank"] for i in importance] == [1, 2, 3]
    assert importance[0]["mean_abs_shap"] >= importance[-1]["mean_abs_shap"]
    assert sum(i["share"] for i in importance) == pytest.approx(1.0)
    assert importance[0]["feature"] == "spend"


def test_random_forest_is_explained_in_probability(table: pd.DataFrame) -> None:
    from sklearn.ensemble import RandomForestClassifier

    model = RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0).fit(
        table[NUMERIC], table.took_offer)
    result = explain(model, table, sample=100)
    assert result.method == "tree" and result.output == "probability"
    _additive(result)
    assert result.explained == 100 and result.rows == len(table)


def test_linear_model_is_explained_exactly(table: pd.DataFrame) -> None:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(max_iter=500).fit(table[NUMERIC], table.took_offer)
    result = explain(model, table, row=1001)
    assert result.method == "linear" and result.output == "log-odds"
    _additive(result)
    np.testing.assert_allclose(result.outputs, model.decision_function(result.frame),
                               atol=1e-9)


def test_pipeline_with_preprocessing_is_explained_on_raw_columns(table: pd.DataFrame) -> None:
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    columns = [*NUMERIC, "region"]
    model = make_pipeline(
        make_column_transformer((OneHotEncoder(handle_unknown="ignore"), ["region"]),
                                remainder=StandardScaler()),
        GradientBoostingClassifier(n_estimators=20, random_state=0),
    ).fit(table[columns], table.took_offer)
    info = describe_model(model)
    assert info.method == "permutation" and info.steps[-1] == "GradientBoostingClassifier"
    result = explain(model, table, row=1002, sample=20, background=20)
    assert result.output == "probability"
    assert set(result.features) == set(columns)
    _additive(result)
    assert result.output_of(1002) == pytest.approx(
        model.predict_proba(table[table.customer_id == 1002][columns])[0, 1])
    region = next(c for c in result.contributions(1002) if c["feature"] == "region")
    assert region["value"] in {"north", "south", "east"}


def test_regressor_and_parquet_path(table: pd.DataFrame, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sklearn.ensemble import GradientBoostingRegressor

    path = tmp_path / "customers.parquet"
    table.to_parquet(path)
    model = GradientBoostingRegressor(n_estimators=20, random_state=0).fit(
        table[NUMERIC], table.spend)
    result = explain(model, str(path), row="1003", sample=50)
    assert result.output == "prediction" and result.explained == 51
    _additive(result)
    data = result.to_dict()
    assert data["person"]["id"] == "1003" and data["explained"] == 50
    assert data["fingerprint"]["rows"] == len(table)
    assert "random sample of 50" in data["notes"][0]


def test_reasons_are_the_features_that_raised_the_score(table: pd.DataFrame) -> None:
    from sklearn.ensemble import GradientBoostingClassifier

    model = GradientBoostingClassifier(n_estimators=30, random_state=0).fit(
        table[NUMERIC], table.took_offer)
    best = int(table.loc[table.spend.idxmax(), "customer_id"])
    result = explain(model, table, row=best)
    reasons = result.reasons(best, top=2)
    assert 1 <= len(reasons) <= 2
    assert all(r["contribution"] > 0 for r in reasons)
    assert reasons[0]["feature"] == "spend"
    with pytest.raises(NotFound):
        result.contributions(-1)


def test_bad_rows_and_columns_are_one_line_errors(table: pd.DataFrame) -> None:
    from sklearn.linear_model import LinearRegression

    model = LinearRegression().fit(table[NUMERIC], table.spend)
    with pytest.raises(InvalidInput, match="no row with customer_id = 99"):
        explain(model, table, row=99)
    with pytest.raises(InvalidInput, match="lacks the model's feature columns: tenure"):
        explain(model, table.drop(columns=["tenure"]))
    with pytest.raises(InvalidInput, match="id column 'nope'"):
        explain(model, table, id_column="nope")


def test_load_model_refuses_other_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import joblib

    with pytest.raises(InvalidInput, match="must end in .pkl"):
        load_model(tmp_path / "model.txt")
    path = tmp_path / "list.joblib"
    joblib.dump([1, 2], path)
    with pytest.raises(InvalidInput, match="not a model"):
        load_model(path)


def test_customer_text_uses_labels_and_the_template() -> None:
    reasons = [{"feature": "spend", "value": 2340.5, "contribution": 0.9},
               {"feature": "tenure", "value": 6.0, "contribution": 0.4},
               {"feature": "mystery_score", "value": 0.5, "contribution": 0.1}]
    labels = {"spend": {"label": "your spending with us", "prefix": "€", "decimals": 0},
              "tenure": {"label": "how long you have been with us", "suffix": " years"},
              "mystery_score": {"label": "your engagement", "hide": True}}
    text = customer_text(reasons, labels=labels, context={"offer": "store card"},
                         template="Your {{ offer }}: {{ reasons | map(attribute='phrase') "
                                  "| join_and }}.")
    assert text == ("Your store card: your spending with us (€2,340), how long you have been "
                    "with us (6 years) and your engagement.")
    with pytest.raises(InvalidInput, match="template"):
        customer_text(reasons, labels={}, template="{{ reasons.__class__.__mro__ }}")


def test_value_formats() -> None:
    assert show_value(0.354, {"percent": True}) == "35.4%"
    assert show_value("gold", {"values": {"gold": "Gold member"}}) == "Gold member"
    assert show_value(3, {}) == "3"
    assert join_and(["a", "b", "c"]) == "a, b and c"


def test_permutation_values_with_every_order_are_the_exact_shapley_values() -> None:
    from itertools import combinations
    from math import factorial

    from steward.engines.explain._shap import permutation_shap, permutations_for

    rng = np.random.default_rng(3)
    background = rng.normal(size=(8, 3))
    rows = rng.normal(size=(2, 3))

    def f(x: np.ndarray) -> np.ndarray:
        return x[:, 0] * x[:, 1] + np.sin(x[:, 2]) + x[:, 0] ** 2

    orders = permutations_for(3, 3, rng)
    assert len(orders) == 6
    values, outputs, base = permutation_shap(f, rows, background, orders)

    def value_of(row: np.ndarray, subset: tuple[int, ...]) -> float:
        mixed = background.copy()
        mixed[:, list(subset)] = row[list(subset)]
        return float(f(mixed).mean())

    for r, row in enumerate(rows):
        for j in range(3):
            others = [i for i in range(3) if i != j]
            exact = sum(
                factorial(len(s)) * factorial(2 - len(s)) / factorial(3)
                * (value_of(row, (*s, j)) - value_of(row, s))
                for size in range(3) for s in combinations(others, size))
            assert values[r, j] == pytest.approx(exact, abs=1e-12)
    np.testing.assert_allclose(base + values.sum(axis=1), f(rows), atol=1e-12)
    np.testing.assert_allclose(outputs, f(rows), atol=1e-12)
