from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward.engines.consent.bits import (
    BitReader,
    BitWriter,
    base64url_to_bits,
    bits_to_base64url,
)
from steward.engines.consent.errors import ConsentStringError


def test_base64url_alphabet_and_position_of_a_bad_character() -> None:
    assert base64url_to_bits("A_", what="x") == (63, 12)
    with pytest.raises(ConsentStringError, match=r"^TC string: bad base64url at character 3$"):
        base64url_to_bits("AB+C", what="TC string")
    with pytest.raises(ConsentStringError, match="GPP string is empty"):
        base64url_to_bits("", what="GPP string")


def test_padding_tc_to_24_bits_gpp_to_8_then_6() -> None:
    assert bits_to_base64url(0b1, 1) == "gAAA"
    assert bits_to_base64url(0b1, 1, compressed=True) == "gA"  # 8 bits -> 12
    assert bits_to_base64url(0, 0) == ""


def test_reader_reports_truncation_with_bits_needed_and_got() -> None:
    r = BitReader(0b101, 3, what="TC string", segment="core segment")
    assert r.read_int(2) == 0b10
    with pytest.raises(
        ConsentStringError, match=r"^TC string truncated: core segment needs 5 bits, got 3$"
    ):
        r.read_int(3)


def test_bitfield_ids_are_one_based_from_the_left() -> None:
    r = BitReader(0b10010, 5, what="x", segment="y")
    assert r.read_bitfield(5) == {1, 4}


@pytest.mark.parametrize(("value", "code"), [(1, "11"), (2, "011"), (3, "0011"), (4, "1011")])
def test_fibonacci_codes(value: int, code: str) -> None:
    w = BitWriter()
    w.write_fibonacci(value, field="f")
    assert (w.length, w._value) == (len(code), int(code, 2))
    assert BitReader(int(code, 2), len(code), what="x", segment="y").read_fibonacci() == value


def test_writer_refuses_values_that_do_not_fit() -> None:
    with pytest.raises(ConsentStringError, match=r"cannot encode cmpId=4096"):
        BitWriter().write_int(4096, 12, field="cmpId")
    with pytest.raises(ConsentStringError, match=r"ids must be 1 to 24"):
        BitWriter().write_bitfield([25], 24, field="purposeConsents")


@given(st.lists(st.tuples(st.integers(1, 40), st.integers(0, 2**40)), max_size=20))
def test_writer_and_reader_agree(fields: list[tuple[int, int]]) -> None:
    w = BitWriter()
    for width, value in fields:
        w.write_int(value % (1 << width), width, field="f")
    r = BitReader.from_base64url(w.to_base64url() or "AAAA", what="x", segment="y")
    assert [r.read_int(width) for width, _ in fields] == [v % (1 << w_) for w_, v in fields]


@given(st.integers(1, 10**9))
def test_fibonacci_round_trip(value: int) -> None:
    w = BitWriter()
    w.write_fibonacci(value, field="f")
    r = BitReader(w._value, w.length, what="x", segment="y")
    assert r.read_fibonacci() == value
    assert r.remaining == 0
