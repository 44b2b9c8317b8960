"""The audit's behaviour: options, missing and tiny groups, reach, the JSON contract, errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.engines.fairness import (
    BAD_OPTION,
    DECISION_NOT_BINARY,
    DUPLICATE_COLUMN,
    LABEL_NOT_BINARY,
    MISSING_LABEL,
    NO_GROUPS,
    WRONG_KIND,
    FairnessThresholds,
    audit_fairness,
)
from steward.errors import InvalidInput


def table(rows: int = 2_000, seed: int = 0) -> pa.Table:
    rng = np.random.default_rng(seed)
    group = rng.choice(np.array(["a", "b", "c", None], dtype=object), size=rows,
                       p=[0.5, 0.35, 0.14, 0.01])
    band = rng.integers(1, 4, size=rows)
    score = np.clip(rng.normal(0.5, 0.2, size=rows) - np.where(group == "b", 0.15, 0.0), 0, 1)
    label = (rng.random(rows) < score).astype(np.int8)
    decision = score >= 0.5
    return pa.table({"group": group, "band": band, "score": score, "label": label,
                     "decision": decision})


def test_json_contract() -> None:
    result = audit_fairness(table(), groups=["group", "band"], decision="decision",
                            label="label", score="score", intersections=True)
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert json.loads(result.to_json()) == data  # the fast writer writes the same document
    assert {"rows", "groups", "intersections", "disparities", "verdict", "findings",
            "fingerprint", "left_out"} <= set(data)
    assert data["rows"] == 2_000
    first = data["groups"][0]
    assert first["group"] == {"group": "a"}
    for key in ("n", "selection_rate", "selection_rate_ci", "tpr", "fpr", "precision",
                "base_rate", "fnr", "accuracy", "mean_score", "calibration"):
        assert key in first
    assert len(first["selection_rate_ci"]) == 2
    assert data["intersections"][0]["group"] == {"group": "a", "band": "1"}
    for metric in ("demographic_parity_difference", "demographic_parity_ratio",
                   "equalized_odds_difference", "selection_rate_ratio"):
        assert set(data["disparities"][metric]) == {"group", "band", "group:band"}
    assert data["verdict"] in ("pass", "warn", "fail")
    assert data["fingerprint"]["rows"] == 2_000
    assert [c["name"] for c in data["fingerprint"]["columns"]][:2] == ["group", "band"]


def test_missing_groups_are_kept_or_dropped() -> None:
    data = table()
    missing = sum(v is None for v in data.column("group").to_pylist())
    kept = audit_fairness(data, groups=["group"], decision="decision")
    assert kept.groups()[-1]["group"] == {"group": MISSING_LABEL}
    assert kept.groups()[-1]["n"] == missing and kept.left_out == ()
    dropped = audit_fairness(data, groups=["group"], decision="decision", missing="drop")
    assert [g["group"]["group"] for g in dropped.groups()] == ["a", "b", "c"]
    assert dropped.to_dict()["left_out"] == [
        {"reason": "group value missing (missing='drop')", "column": "group", "rows": missing}]
    assert dropped.to_dict()["overall"]["n"] == 2_000 - missing


def test_small_groups_are_reported_not_judged() -> None:
    result = audit_fairness(table(), groups=["group"], decision="decision", min_group_size=30)
    small = result.groups()[-1]
    assert small["n"] < 30 and not small["judged"] and small["p_value"] is None
    assert all(f.verdict != "fail" for f in result.findings if f.group == {"group": MISSING_LABEL})


def test_decision_from_score_and_threshold_equals_binary_decision() -> None:
    data = table()
    by_score = audit_fairness(data, groups=["group"], decision="score", threshold=0.5,
                              label="label")
    by_flag = audit_fairness(data, groups=["group"], decision="decision", label="label",
                             score="score")
    for a, b in zip(by_score.groups(), by_flag.groups(), strict=True):
        assert a["selected"] == b["selected"] and a["tpr"] == b["tpr"]
        assert a["mean_score"] == pytest.approx(b["mean_score"], abs=1e-12)
    assert by_score.options["score"] == "score"


def test_without_label_error_rates_are_null() -> None:
    result = audit_fairness(table(), groups=["group"], decision="decision")
    entry = result.groups()[0]
    assert entry["tpr"] is None and entry["fpr"] is None and entry["tpr_ci"] is None
    assert result.disparities["equalized_odds_difference"]["group"] is None
    assert "equalized_odds_difference" not in result.judgement.verdicts


def test_nulls_in_decision_label_and_score_are_left_out_and_counted() -> None:
    frame = pd.DataFrame({
        "g": ["x", "y"] * 50,
        "d": [1.0, 0.0, None, 1.0] * 25,
        "y": [1, 0, 1, None] * 25,
        "s": [0.9, None, 0.2, 0.7] * 25,
    })
    result = audit_fairness(frame, groups=["g"], decision="d", label="y", score="s")
    reasons = {item.reason.split(":")[0].split(" (")[0]: item.rows for item in result.left_out}
    assert reasons == {"decision missing": 25, "label missing": 25, "score missing": 25}
    assert result.rows == 100 and result.to_dict()["overall"]["n"] == 75


def test_calibration_matches_scikit_learn() -> None:
    from sklearn.calibration import calibration_curve

    data = table(5_000, seed=4).to_pandas()
    data.loc[:9, "score"] = [0.1, 0.2, 0.3, 0.30000000000000004, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    result = audit_fairness(data, groups=["band"], decision="decision", label="label",
                            score="score")
    bins = result.to_dict()["overall"]["calibration"]
    prob_true, prob_pred = calibration_curve(data["label"], data["score"], n_bins=10)
    observed = [b for b in bins if b["n"]]
    assert [b["observed_rate"] for b in observed] == pytest.approx(list(prob_true), abs=1e-12)
    assert [b["mean_score"] for b in observed] == pytest.approx(list(prob_pred), abs=1e-12)


def test_reference_population_with_weights() -> None:
    data = pa.table({"region": ["n"] * 600 + ["s"] * 400,
                     "shown": [1] * 300 + [0] * 300 + [1] * 100 + [0] * 300})
    census = pa.table({"region": ["n", "s", "w"], "people": [500.0, 400.0, 100.0]})
    result = audit_fairness(data, groups=["region"], decision="shown", reference=census,
                            reference_weight="people")
    entries = {g["group"]["region"]: g for g in result.groups()}
    assert entries["n"]["reach_share"] == pytest.approx(0.75)
    assert entries["n"]["population_share"] == pytest.approx(0.5)
    assert entries["s"]["representation_ratio"] == pytest.approx(0.25 / 0.4)
    assert entries["w"]["n"] == 0 and entries["w"]["representation_ratio"] == 0.0
    assert result.judgement.verdicts["representation_ratio"] == "fail"
    assert result.to_dict()["reference"]["kind"] == "table"


def test_eligible_population_is_the_default_reference() -> None:
    result = audit_fairness(table(), groups=["group"], decision="decision")
    overall = result.to_dict()["overall"]["selection_rate"]
    for entry in result.groups():
        assert entry["representation_ratio"] == pytest.approx(entry["selection_rate"] / overall)


def test_rejudge_changes_verdicts_not_measurements() -> None:
    result = audit_fairness(table(), groups=["group"], decision="decision", label="label")
    lenient = result.rejudge(FairnessThresholds(min_selection_rate_ratio=0.1,
                                                max_equalized_odds_difference=0.9,
                                                min_representation_ratio=0.1))
    assert result.verdict == "fail" and lenient.verdict == "pass"
    assert lenient.groups() == [
        {**g, "p_adjusted": g["p_adjusted"]} for g in result.groups()
    ]


def test_progress_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "d.parquet"
    pq.write_table(table(), path)
    stages: list[str] = []
    audit_fairness(path, groups=["group"], decision="decision",
                   progress=lambda stage, fraction: stages.append(stage))
    assert stages[0] == "opening" and stages[-1] == "done" and "computing" in stages


def test_values_of_any_type_become_strings() -> None:
    data = pa.table({"flag": [True, False] * 40, "day": pa.array([18000, 18001] * 40,
                                                                pa.date32()),
                     "ratio": [0.5, 1.0] * 40, "d": [1, 0, 0, 1] * 20})
    result = audit_fairness(data, groups=["flag", "day", "ratio"], decision="d")
    labels = [g["group"] for g in result.groups()]
    assert {"flag": "false"} in labels and {"day": "2019-04-14"} in labels
    assert {"ratio": "0.5"} in labels


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"groups": []}, NO_GROUPS),
        ({"groups": ["group", "group"]},
         DUPLICATE_COLUMN.format(column="group", roles="group and group")),
        ({"label": "decision"},
         DUPLICATE_COLUMN.format(column="decision", roles="decision and label")),
        ({"min_group_size": 0},
         BAD_OPTION.format(name="min_group_size", rule="a positive integer", value=0)),
        ({"missing": "skip"}, BAD_OPTION.format(name="missing", rule="'keep' or 'drop'",
                                                value="skip")),
    ],
)
def test_bad_options(options: dict, message: str) -> None:
    arguments = {"groups": ["group"], "decision": "decision", **options}
    with pytest.raises(InvalidInput) as error:
        audit_fairness(table(), **arguments)
    assert str(error.value) == message


def test_non_binary_decision_and_label_are_refused() -> None:
    scores = np.asarray(table().column("score"))
    with pytest.raises(InvalidInput) as error:
        audit_fairness(table(), groups=["group"], decision="score")
    bad = int(((scores != 0) & (scores != 1)).sum())
    assert str(error.value) == DECISION_NOT_BINARY.format(column="score", rows=bad)
    data = table().append_column("grade", pa.array([0, 1, 2, 1] * 500))
    with pytest.raises(InvalidInput) as error:
        audit_fairness(data, groups=["group"], decision="decision", label="grade")
    assert str(error.value) == LABEL_NOT_BINARY.format(column="grade", rows=500)


def test_text_decision_is_refused() -> None:
    with pytest.raises(InvalidInput) as error:
        audit_fairness(table(), groups=["band"], decision="group")
    assert str(error.value) == WRONG_KIND.format(
        role="decision", column="group", type="VARCHAR",
        rule="it must hold 0/1, booleans or (with threshold=) scores")


def test_unknown_column_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="column 'gender' not found"):
        audit_fairness(table(), groups=["gender"], decision="decision")
    with pytest.raises(InvalidInput, match="file not found"):
        audit_fairness(tmp_path / "absent.parquet", groups=["g"], decision="d")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["p", "q", "r", None]), st.booleans(),
                          st.booleans()), min_size=1, max_size=60))
def test_counts_match_a_plain_group_by(rows: list[tuple[str | None, bool, bool]]) -> None:
    frame = pd.DataFrame(rows, columns=["g", "d", "y"]).astype({"g": object})
    result = audit_fairness(frame, groups=["g"], decision="d", label="y", min_group_size=5)
    expected = frame.fillna({"g": MISSING_LABEL}).groupby("g").agg(
        n=("d", "size"), selected=("d", "sum"), positives=("y", "sum"))
    got = {e["group"]["g"]: e for e in result.groups()}
    assert set(got) == set(expected.index)
    for key, row in expected.iterrows():
        assert got[key]["n"] == row["n"] and got[key]["selected"] == row["selected"]
        assert got[key]["positives"] == row["positives"]
        assert got[key]["selection_rate"] == pytest.approx(row["selected"] / row["n"])
    rates = (expected["selected"] / expected["n"])
    assert result.disparities["demographic_parity_difference"]["g"] == pytest.approx(
        rates.max() - rates.min())
