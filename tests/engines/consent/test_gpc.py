from __future__ import annotations

import pytest

from steward.engines.consent import gpc_from_headers, parse_sec_gpc


@pytest.mark.parametrize(
    ("value", "signal"),
    [
        ("1", True),
        (" 1 ", True),
        ("0", False),
        ("true", False),
        ("", False),
        (None, False),
        ("1, 1", False),
    ],
)
def test_only_the_value_1_signals(value: str | None, signal: bool) -> None:
    assert parse_sec_gpc(value) is signal


def test_headers_are_case_insensitive_mappings_or_pairs() -> None:
    assert gpc_from_headers({"sec-gpc": "1"}) is True
    assert gpc_from_headers([("Accept", "*/*"), ("SEC-GPC", "1")]) is True
    assert gpc_from_headers({"Accept": "*/*"}) is False
    assert gpc_from_headers([("Sec-GPC", "1"), ("Sec-GPC", "0")]) is False
