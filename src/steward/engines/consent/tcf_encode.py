"""Encoding TCF v2.2 TC strings, the inverse of :func:`.tcf.decode_tc_string`.

Vendor sets are written as a bit field or as ranges by the same rule as the IAB reference
encoder (``@iabtcf/core``), so a string it made decodes and re-encodes byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from steward.engines.consent.bits import BitWriter
from steward.engines.consent.errors import (
    BAD_RESTRICTION,
    BAD_VENDOR_ID,
    CORE_NOT_FIRST,
    DUPLICATE_TC_SEGMENT,
    ENCODE_RANGE,
    UNSUPPORTED_TC_VERSION,
    ConsentStringError,
)
from steward.engines.consent.tcf import (
    CORE,
    EPOCH,
    MAX_ID_BITS,
    NUM_ENTRIES_BITS,
    PUBLISHER_TC,
    RANGE_HEADER_BITS,
    SEGMENT_TYPES,
    TC_VERSION,
    VENDOR_ID_BITS,
    VENDORS_ALLOWED,
    VENDORS_DISCLOSED,
    WHAT,
    PublisherRestriction,
    TCString,
)


def default_segments(tc: TCString) -> tuple[str, ...]:
    """Segments a :class:`TCString` built by hand needs: core plus those with content."""
    names = [CORE]
    if tc.vendors_disclosed:
        names.append(VENDORS_DISCLOSED)
    if tc.vendors_allowed:
        names.append(VENDORS_ALLOWED)
    if (
        tc.publisher_consents
        or tc.publisher_legitimate_interests
        or tc.num_custom_purposes
        or tc.publisher_custom_consents
        or tc.publisher_custom_legitimate_interests
    ):
        names.append(PUBLISHER_TC)
    return tuple(names)


def encode_tc_string(tc: TCString, *, segments: Iterable[str] | None = None) -> str:
    """Encode ``tc`` as a TC string with ``segments`` (default: ``tc.segments``).

    Raises :class:`ConsentStringError` if a value does not fit its field.
    """
    names = tuple(segments) if segments is not None else (tc.segments or default_segments(tc))
    if not names or names[0] != CORE:
        raise ConsentStringError(CORE_NOT_FIRST.format(name=names[0] if names else "no segment"))
    if tc.version != TC_VERSION:
        raise ConsentStringError(UNSUPPORTED_TC_VERSION.format(version=tc.version))
    out = [_write_core(tc).to_base64url()]
    seen = {CORE}
    for name in names[1:]:
        if name not in SEGMENT_TYPES:
            raise ConsentStringError(
                ENCODE_RANGE.format(field="segments", value=name, problem="unknown segment")
            )
        if name in seen:
            raise ConsentStringError(DUPLICATE_TC_SEGMENT.format(name=name))
        seen.add(name)
        w = BitWriter()
        w.write_int(SEGMENT_TYPES[name], 3, field="segmentType")
        if name == PUBLISHER_TC:
            _write_publisher_tc(w, tc)
        elif name == VENDORS_DISCLOSED:
            _write_vendor_vector(w, tc.vendors_disclosed, "vendorsDisclosed")
        else:
            _write_vendor_vector(w, tc.vendors_allowed, "vendorsAllowed")
        out.append(w.to_base64url())
    return ".".join(out)


def _write_time(w: BitWriter, moment: datetime, field_name: str) -> None:
    if moment.tzinfo is None:
        raise ConsentStringError(
            ENCODE_RANGE.format(field=field_name, value=moment, problem="needs a time zone")
        )
    ms = (moment - EPOCH) // timedelta(milliseconds=1)
    w.write_int((ms + 50) // 100, 36, field=field_name)  # deciseconds, rounded half up


def _write_code(w: BitWriter, code: str, field_name: str) -> None:
    code = code.upper()
    if len(code) != 2 or not all("A" <= c <= "Z" for c in code):
        raise ConsentStringError(
            ENCODE_RANGE.format(field=field_name, value=code, problem="needs two letters A-Z")
        )
    for c in code:
        w.write_int(ord(c) - 65, 6, field=field_name)


def _write_core(tc: TCString) -> BitWriter:
    w = BitWriter()
    w.write_int(tc.version, 6, field="version")
    _write_time(w, tc.created, "created")
    _write_time(w, tc.last_updated, "lastUpdated")
    w.write_int(tc.cmp_id, 12, field="cmpId")
    w.write_int(tc.cmp_version, 12, field="cmpVersion")
    w.write_int(tc.consent_screen, 6, field="consentScreen")
    _write_code(w, tc.consent_language, "consentLanguage")
    w.write_int(tc.vendor_list_version, 12, field="vendorListVersion")
    w.write_int(tc.policy_version, 6, field="policyVersion")
    w.write_bool(tc.is_service_specific)
    w.write_bool(tc.use_non_standard_texts)
    w.write_bitfield(tc.special_feature_optins, 12, field="specialFeatureOptins")
    w.write_bitfield(tc.purpose_consents, 24, field="purposeConsents")
    w.write_bitfield(tc.purpose_legitimate_interests, 24, field="purposeLegitimateInterests")
    w.write_bool(tc.purpose_one_treatment)
    _write_code(w, tc.publisher_country_code, "publisherCountryCode")
    _write_vendor_vector(w, tc.vendor_consents, "vendorConsents")
    _write_vendor_vector(w, tc.vendor_legitimate_interests, "vendorLegitimateInterests")
    _write_restrictions(w, tc.publisher_restrictions)
    return w


def _runs(ids: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted ids as runs of consecutive ids: ``[1, 2, 3, 7]`` -> ``[(1, 3), (7, 7)]``."""
    runs: list[tuple[int, int]] = []
    for i in sorted(ids):
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _write_entries(w: BitWriter, runs: list[tuple[int, int]], field_name: str) -> None:
    w.write_int(len(runs), NUM_ENTRIES_BITS, field=f"{field_name} entries")
    for start, end in runs:
        w.write_bool(start != end)
        w.write_int(start, VENDOR_ID_BITS, field=field_name)
        if start != end:
            w.write_int(end, VENDOR_ID_BITS, field=field_name)


def _write_vendor_vector(w: BitWriter, ids: frozenset[int], field_name: str) -> None:
    if any(i < 1 for i in ids):
        raise ConsentStringError(BAD_VENDOR_ID.format(what=WHAT, field=field_name))
    max_id = max(ids, default=0)
    w.write_int(max_id, MAX_ID_BITS, field=field_name)
    runs = _runs(ids)
    # The reference encoder's choice: ranges when max_id > 45 and its running estimate of the
    # range encoding (singles counted 16 bits, ranges 33, the last id's 16 left out) is
    # shorter than the bit field.
    estimate = RANGE_HEADER_BITS + NUM_ENTRIES_BITS - 16
    estimate += sum(16 if start == end else 33 for start, end in runs)
    if max_id > 45 and estimate < RANGE_HEADER_BITS + max_id:
        w.write_bool(True)
        _write_entries(w, runs, field_name)
    else:
        w.write_bool(False)
        w.write_bitfield(ids, max_id, field=field_name)


def _write_restrictions(w: BitWriter, restrictions: tuple[PublisherRestriction, ...]) -> None:
    w.write_int(len(restrictions), 12, field="publisherRestrictions")
    for r in restrictions:
        if r.purpose < 1 or r.type not in (0, 1, 2):
            raise ConsentStringError(
                BAD_RESTRICTION.format(purpose=r.purpose, problem=f"type {r.type}")
            )
        w.write_int(r.purpose, 6, field="publisherRestrictions.purpose")
        w.write_int(r.type, 2, field="publisherRestrictions.type")
        _write_entries(w, _runs(r.vendors), "publisherRestrictions.vendors")


def _write_publisher_tc(w: BitWriter, tc: TCString) -> None:
    w.write_bitfield(tc.publisher_consents, 24, field="publisherConsents")
    w.write_bitfield(tc.publisher_legitimate_interests, 24, field="publisherLegitimateInterests")
    n = tc.num_custom_purposes or max(
        (*tc.publisher_custom_consents, *tc.publisher_custom_legitimate_interests), default=0
    )
    w.write_int(n, 6, field="numCustomPurposes")
    w.write_bitfield(tc.publisher_custom_consents, n, field="publisherCustomConsents")
    w.write_bitfield(
        tc.publisher_custom_legitimate_interests, n, field="publisherCustomLegitimateInterests"
    )
