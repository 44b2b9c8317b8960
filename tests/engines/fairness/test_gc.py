"""The collector is paused around the audit's allocation bursts and restored after."""

from __future__ import annotations

import gc

import pytest

from steward.engines.fairness._gc import collector_paused


def test_collector_paused_restores_an_enabled_collector() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collector_paused_restores_it_after_an_error() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_collector_paused_leaves_a_disabled_collector_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_audit_leaves_the_collector_on(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pyarrow as pa

    from steward.engines.fairness import audit_fairness

    table = pa.table({"g": ["a", "b"] * 50, "d": [0, 1, 1, 0] * 25, "y": [1, 0] * 50})
    result = audit_fairness(table, groups=["g"], decision="d", label="y")
    result.to_json()
    assert gc.isenabled()
