"""Property tests: encoding round-trips, and decoding refuses garbage only with
ConsentStringError."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from steward.engines.consent import (
    ConsentStringError,
    PublisherRestriction,
    TCString,
    decode_consent_string,
    decode_gpp_string,
    decode_tc_string,
    encode_gpp_string,
    encode_tc_string,
    make_gpp_string,
)
from steward.engines.consent.bits import ALPHABET
from steward.engines.consent.gpp_sections import US_SECTIONS

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
letters = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)
moments = st.integers(0, 2**36 - 1).map(lambda ds: EPOCH + timedelta(milliseconds=100 * ds))


def ids(top: int, max_size: int = 60) -> st.SearchStrategy[frozenset[int]]:
    sparse = st.frozensets(st.integers(1, top), max_size=max_size)
    runs = st.lists(st.tuples(st.integers(1, top), st.integers(0, 40)), max_size=4).map(
        lambda rs: frozenset(i for a, n in rs for i in range(a, min(a + n, top) + 1))
    )
    return st.one_of(sparse, runs)


restrictions = st.lists(
    st.builds(
        PublisherRestriction,
        purpose=st.integers(1, 63),
        type=st.integers(0, 2),
        vendors=ids(3000, 20),
    ),
    max_size=4,
    unique_by=lambda r: (r.purpose, r.type),
).map(tuple)


@st.composite
def tc_strings(draw) -> TCString:
    custom = draw(st.integers(0, 63))
    segments = draw(
        st.sampled_from(
            [
                ("core",),
                ("core", "vendorsDisclosed"),
                ("core", "publisherTC"),
                ("core", "vendorsDisclosed", "vendorsAllowed", "publisherTC"),
            ]
        )
    )
    return TCString(
        created=draw(moments),
        last_updated=draw(moments),
        cmp_id=draw(st.integers(2, 4095)),
        cmp_version=draw(st.integers(0, 4095)),
        consent_screen=draw(st.integers(0, 63)),
        consent_language=draw(letters),
        vendor_list_version=draw(st.integers(0, 4095)),
        policy_version=draw(st.integers(0, 63)),
        is_service_specific=draw(st.booleans()),
        use_non_standard_texts=draw(st.booleans()),
        special_feature_optins=draw(ids(12)),
        purpose_consents=draw(ids(24)),
        purpose_legitimate_interests=draw(ids(24)),
        purpose_one_treatment=draw(st.booleans()),
        publisher_country_code=draw(letters),
        vendor_consents=draw(ids(5000)),
        vendor_legitimate_interests=draw(ids(5000)),
        publisher_restrictions=draw(restrictions),
        vendors_disclosed=draw(ids(5000)) if "vendorsDisclosed" in segments else frozenset(),
        vendors_allowed=draw(ids(5000)) if "vendorsAllowed" in segments else frozenset(),
        publisher_consents=draw(ids(24)) if "publisherTC" in segments else frozenset(),
        publisher_legitimate_interests=draw(ids(24)) if "publisherTC" in segments else frozenset(),
        num_custom_purposes=custom if "publisherTC" in segments else 0,
        publisher_custom_consents=draw(ids(custom))
        if custom and "publisherTC" in segments
        else frozenset(),
        segments=segments,
    )


@settings(max_examples=200, deadline=None)
@given(tc_strings())
def test_tc_decode_encode_round_trip(tc: TCString) -> None:
    text = encode_tc_string(tc)
    decoded = decode_tc_string(text)
    assert decoded == tc
    assert encode_tc_string(decoded) == text


@st.composite
def gpp_fields(draw) -> dict:
    chosen = draw(
        st.lists(st.sampled_from(US_SECTIONS), min_size=1, max_size=5, unique_by=lambda s: s.id)
    )
    out = {}
    for spec in chosen:
        values = {}
        for f in spec.core + spec.sub:
            if f.name in ("Version", "MspaVersion"):
                continue
            if f.boolean:
                values[f.name] = draw(st.booleans())
            elif f.count is not None:
                values[f.name] = draw(
                    st.lists(st.integers(0, 3), min_size=f.count, max_size=f.count)
                )
            else:
                values[f.name] = draw(st.integers(0, (1 << f.bits) - 1))
        if spec.sub_flag:
            values[spec.sub_flag] = draw(st.booleans())
        out[spec.name] = values
    return out


@settings(max_examples=200, deadline=None)
@given(gpp_fields())
def test_gpp_decode_encode_round_trip(sections: dict) -> None:
    gpp = make_gpp_string(sections)
    text = encode_gpp_string(gpp)
    again = decode_gpp_string(text)
    assert again == gpp
    assert encode_gpp_string(again) == text
    for spec in US_SECTIONS:
        if spec.name not in sections:
            continue
        values, fields = sections[spec.name], again.sections[spec.name].fields
        kept = spec.core + (spec.sub if values.get(spec.sub_flag) else ())
        assert {f.name: fields[f.name] for f in kept if f.name in values} == {
            f.name: values[f.name] for f in kept if f.name in values
        }


base64ish = st.text(ALPHABET + ".~", max_size=120)


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(max_size=80),
        base64ish,
        base64ish.map(lambda s: "C" + s),
        base64ish.map(lambda s: "DB" + s),
        st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
    )
)
def test_decoding_garbage_raises_only_consent_string_error(text: str) -> None:
    try:
        decode_consent_string(text)
    except ConsentStringError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=100, deadline=None)
@given(tc_strings(), st.data())
def test_truncated_or_edited_strings_raise_only_consent_string_error(tc: TCString, data) -> None:
    text = encode_tc_string(tc)
    cut = data.draw(st.integers(0, len(text)))
    pos = data.draw(st.integers(0, len(text) - 1))
    char = data.draw(st.sampled_from(ALPHABET + ".!"))
    for candidate in (text[:cut], text[:pos] + char + text[pos + 1 :]):
        with contextlib.suppress(ConsentStringError):
            decode_consent_string(candidate)
