"""Appending to the chain: in the caller's transaction, and never forked by concurrent writers."""

import threading

import pytest
from sqlalchemy import func, select

from steward.core.audit_chain import GENESIS_HASH
from steward.services import audit_log as audit_service
from steward.services.runtime import Actor, Runtime
from steward.storage.orm import AuditEntry


def test_entries_chain_from_genesis(runtime: Runtime, operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        unit.audit("a.create", "a", 1, after={"x": 1})
        unit.audit("a.update", "a", 1, before={"x": 1}, after={"x": 2})
    with runtime.unit(operator) as unit:
        records = list(audit_service.export(unit))
        assert audit_service.verify(unit).ok
    assert [r["seq"] for r in records] == [1, 2]
    assert records[0]["prev_hash"] == GENESIS_HASH
    assert records[1]["prev_hash"] == records[0]["hash"]
    assert records[1]["before"] == {"x": 1} and records[1]["actor"] == "cli:tester"


def test_a_rolled_back_change_leaves_no_entry(runtime: Runtime, operator: Actor) -> None:
    with pytest.raises(RuntimeError), runtime.unit(operator) as unit:
        unit.audit("a.create", "a", 1, after={"x": 1})
        raise RuntimeError("boom")
    with runtime.unit(operator) as unit:
        assert unit.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_concurrent_writers_never_fork_the_chain(runtime: Runtime, operator: Actor) -> None:
    writers, per_writer = 6, 15
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(per_writer):
                with runtime.unit(operator) as unit:
                    unit.audit("w.write", "writer", n, after={"i": i})
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with runtime.unit(operator) as unit:
        result = audit_service.verify(unit)
    assert result.ok and result.entries == writers * per_writer


def test_export_since_filters_and_rejects_bad_dates(runtime: Runtime, operator: Actor) -> None:
    from steward.errors import InvalidInput

    with runtime.unit(operator) as unit:
        unit.audit("a.create", "a", 1)
    with runtime.unit(operator) as unit:
        assert len(list(audit_service.export(unit, since="2000-01-01"))) == 1
        assert list(audit_service.export(unit, since="2999-01-01T00:00:00Z")) == []
        with pytest.raises(InvalidInput, match="--since"):
            audit_service.export(unit, since="yesterday")
