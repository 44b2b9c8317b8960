"""IAB TCF v2.2 Transparency and Consent (TC) strings: the model and the decoder.

A TC string is one to four base64url segments joined by ``.``: the core segment (always
first; its first six bits are the version, 2), then optional segments each opening with a
3-bit type: 1 disclosed vendors, 2 allowed vendors (deprecated in v2.2, still read), 3
publisher TC. Field layout: IAB "TCF v2.2 Consent string and vendor list formats".

:func:`decode_tc_string` gives a :class:`TCString`; :meth:`TCString.to_dict` gives the JSON
shape with the IAB reference library's (``@iabtcf/core``) field names. Encoding lives in
:mod:`.tcf_encode`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from steward.engines.consent.bits import BitReader
from steward.engines.consent.errors import (
    BAD_CMP_ID,
    BAD_LETTER,
    BAD_RANGE,
    BAD_RESTRICTION,
    BAD_VENDOR_ID,
    CORE_NOT_FIRST,
    DUPLICATE_TC_SEGMENT,
    EMPTY,
    EMPTY_SEGMENT,
    UNKNOWN_TC_SEGMENT,
    UNSUPPORTED_TC_VERSION,
    ConsentStringError,
)

WHAT = "TC string"
TC_VERSION = 2
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

CORE = "core"
VENDORS_DISCLOSED = "vendorsDisclosed"
VENDORS_ALLOWED = "vendorsAllowed"
PUBLISHER_TC = "publisherTC"
SEGMENT_TYPES = {VENDORS_DISCLOSED: 1, VENDORS_ALLOWED: 2, PUBLISHER_TC: 3}
_SEGMENT_NAMES = {v: k for k, v in SEGMENT_TYPES.items()}

#: Restriction types of a publisher restriction.
NOT_ALLOWED, REQUIRE_CONSENT, REQUIRE_LEGITIMATE_INTEREST = 0, 1, 2

# Bit widths (TCF v2.2 core segment); the fields before the vendor sections take 213 bits
CORE_FIXED_BITS = 213
MAX_ID_BITS, NUM_ENTRIES_BITS, VENDOR_ID_BITS = 16, 12, 16
RANGE_HEADER_BITS = MAX_ID_BITS + 1  # maxId + encoding type


@dataclass(frozen=True)
class PublisherRestriction:
    """Vendors whose use of ``purpose`` is restricted: 0 not allowed, 1 consent, 2 LI."""

    purpose: int
    type: int
    vendors: frozenset[int]

    def to_dict(self) -> dict[str, Any]:
        return {"purpose": self.purpose, "type": self.type, "vendors": sorted(self.vendors)}


@dataclass(frozen=True)
class TCString:
    """A decoded TC string. Id sets are frozensets of 1-based ids; times are UTC.

    ``segments`` lists the segments in the string, in order ("core", "vendorsDisclosed",
    "vendorsAllowed", "publisherTC"); None means "derive from the fields when encoding".
    """

    created: datetime
    last_updated: datetime
    cmp_id: int
    cmp_version: int
    consent_screen: int
    consent_language: str
    vendor_list_version: int
    policy_version: int = 5
    is_service_specific: bool = True
    use_non_standard_texts: bool = False
    special_feature_optins: frozenset[int] = frozenset()
    purpose_consents: frozenset[int] = frozenset()
    purpose_legitimate_interests: frozenset[int] = frozenset()
    purpose_one_treatment: bool = False
    publisher_country_code: str = "AA"
    vendor_consents: frozenset[int] = frozenset()
    vendor_legitimate_interests: frozenset[int] = frozenset()
    publisher_restrictions: tuple[PublisherRestriction, ...] = ()
    vendors_disclosed: frozenset[int] = frozenset()
    vendors_allowed: frozenset[int] = frozenset()
    publisher_consents: frozenset[int] = frozenset()
    publisher_legitimate_interests: frozenset[int] = frozenset()
    num_custom_purposes: int = 0
    publisher_custom_consents: frozenset[int] = frozenset()
    publisher_custom_legitimate_interests: frozenset[int] = frozenset()
    segments: tuple[str, ...] | None = None
    version: int = TC_VERSION

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: ``@iabtcf/core`` names, sorted id lists, ISO 8601 times."""
        return {
            "version": self.version,
            "created": iso8601(self.created),
            "lastUpdated": iso8601(self.last_updated),
            "cmpId": self.cmp_id,
            "cmpVersion": self.cmp_version,
            "consentScreen": self.consent_screen,
            "consentLanguage": self.consent_language,
            "vendorListVersion": self.vendor_list_version,
            "policyVersion": self.policy_version,
            "isServiceSpecific": self.is_service_specific,
            "useNonStandardTexts": self.use_non_standard_texts,
            "specialFeatureOptins": sorted(self.special_feature_optins),
            "purposeConsents": sorted(self.purpose_consents),
            "purposeLegitimateInterests": sorted(self.purpose_legitimate_interests),
            "purposeOneTreatment": self.purpose_one_treatment,
            "publisherCountryCode": self.publisher_country_code,
            "vendorConsents": sorted(self.vendor_consents),
            "vendorLegitimateInterests": sorted(self.vendor_legitimate_interests),
            "publisherRestrictions": [r.to_dict() for r in self.publisher_restrictions],
            "vendorsDisclosed": sorted(self.vendors_disclosed),
            "publisherConsents": sorted(self.publisher_consents),
            "publisherLegitimateInterests": sorted(self.publisher_legitimate_interests),
        }


def iso8601(moment: datetime) -> str:
    """``2024-05-01T12:00:00.100Z``: UTC, milliseconds, as JavaScript's ``toISOString``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


# --- decoding --------------------------------------------------------------------------------


def decode_tc_string(text: str) -> TCString:
    """Decode a TCF v2.2 TC string; raise :class:`ConsentStringError` if it is malformed."""
    text = text.strip()
    if not text:
        raise ConsentStringError(EMPTY.format(what=WHAT))
    parts = text.split(".")
    for index, part in enumerate(parts, start=1):
        if not part:
            raise ConsentStringError(EMPTY_SEGMENT.format(what=WHAT, index=index))
    core = BitReader.from_base64url(parts[0], what=WHAT, segment="core segment")
    first_type = core.peek_int(3)
    if first_type != 0:  # versions 0-7 open with 000; other segments with their type
        raise ConsentStringError(CORE_NOT_FIRST.format(name=_segment_name(first_type)))
    version = core.peek_int(6)
    if version != TC_VERSION:
        raise ConsentStringError(UNSUPPORTED_TC_VERSION.format(version=version))
    core.require(CORE_FIXED_BITS)
    values: dict[str, Any] = _read_core(core)
    if values["cmp_id"] < 2:  # as @iabtcf/core, which refuses such strings
        raise ConsentStringError(BAD_CMP_ID.format(cmp_id=values["cmp_id"]))
    names = [CORE]
    for index, part in enumerate(parts[1:], start=2):
        reader = BitReader.from_base64url(part, what=WHAT, segment="segment")
        seg_type = reader.read_int(3)
        name = _SEGMENT_NAMES.get(seg_type)
        if seg_type == 0:
            raise ConsentStringError(DUPLICATE_TC_SEGMENT.format(name=CORE))
        if name is None:
            raise ConsentStringError(UNKNOWN_TC_SEGMENT.format(type=seg_type, index=index))
        if name in names:
            raise ConsentStringError(DUPLICATE_TC_SEGMENT.format(name=name))
        reader.segment = f"{name} segment"
        names.append(name)
        if name == PUBLISHER_TC:
            values.update(_read_publisher_tc(reader))
        else:
            key = "vendors_disclosed" if name == VENDORS_DISCLOSED else "vendors_allowed"
            values[key] = _read_vendor_vector(reader, name)
    return TCString(**values, segments=tuple(names))


def _segment_name(seg_type: int) -> str:
    return _SEGMENT_NAMES.get(seg_type, CORE if seg_type == 0 else f"type {seg_type}")


def _read_time(reader: BitReader) -> datetime:
    return EPOCH + timedelta(milliseconds=100 * reader.read_int(36))


def _read_code(reader: BitReader, field_name: str) -> str:
    codes = reader.read_letters(2, 6)
    for code in codes:
        if code > 25:
            raise ConsentStringError(BAD_LETTER.format(field=field_name, code=code))
    return "".join(chr(65 + c) for c in codes)


def _read_core(r: BitReader) -> dict[str, Any]:
    version = r.read_int(6)
    return {
        "version": version,
        "created": _read_time(r),
        "last_updated": _read_time(r),
        "cmp_id": r.read_int(12),
        "cmp_version": r.read_int(12),
        "consent_screen": r.read_int(6),
        "consent_language": _read_code(r, "consentLanguage"),
        "vendor_list_version": r.read_int(12),
        "policy_version": r.read_int(6),
        "is_service_specific": r.read_bool(),
        "use_non_standard_texts": r.read_bool(),
        "special_feature_optins": r.read_bitfield(12),
        "purpose_consents": r.read_bitfield(24),
        "purpose_legitimate_interests": r.read_bitfield(24),
        "purpose_one_treatment": r.read_bool(),
        "publisher_country_code": _read_code(r, "publisherCountryCode"),
        "vendor_consents": _read_vendor_vector(r, "vendorConsents"),
        "vendor_legitimate_interests": _read_vendor_vector(r, "vendorLegitimateInterests"),
        "publisher_restrictions": _read_restrictions(r),
    }


def _read_entries(r: BitReader, field_name: str) -> set[int]:
    """``numEntries`` then that many single ids or ``start..end`` ranges."""
    ids: set[int] = set()
    for _ in range(r.read_int(NUM_ENTRIES_BITS)):
        is_range = r.read_bool()
        start = r.read_int(VENDOR_ID_BITS)
        end = r.read_int(VENDOR_ID_BITS) if is_range else start
        if start == 0:
            raise ConsentStringError(BAD_VENDOR_ID.format(what=WHAT, field=field_name))
        if end < start:
            raise ConsentStringError(
                BAD_RANGE.format(what=WHAT, field=field_name, start=start, end=end)
            )
        ids.update(range(start, end + 1))
    return ids


def _read_vendor_vector(r: BitReader, field_name: str) -> frozenset[int]:
    max_id = r.read_int(MAX_ID_BITS)
    if r.read_bool():  # range encoding
        return frozenset(_read_entries(r, field_name))
    return r.read_bitfield(max_id)


def _read_restrictions(r: BitReader) -> tuple[PublisherRestriction, ...]:
    merged: dict[tuple[int, int], set[int]] = {}
    for _ in range(r.read_int(12)):
        purpose = r.read_int(6)
        kind = r.read_int(2)
        vendors = _read_entries(r, "publisherRestrictions")
        if purpose == 0:
            raise ConsentStringError(BAD_RESTRICTION.format(purpose=0, problem="purpose id 0"))
        if kind == 3:
            raise ConsentStringError(
                BAD_RESTRICTION.format(purpose=purpose, problem="reserved restriction type 3")
            )
        merged.setdefault((purpose, kind), set()).update(vendors)
    return tuple(PublisherRestriction(p, t, frozenset(v)) for (p, t), v in merged.items())


def _read_publisher_tc(r: BitReader) -> dict[str, Any]:
    consents = r.read_bitfield(24)
    interests = r.read_bitfield(24)
    num_custom = r.read_int(6)
    return {
        "publisher_consents": consents,
        "publisher_legitimate_interests": interests,
        "num_custom_purposes": num_custom,
        "publisher_custom_consents": r.read_bitfield(num_custom),
        "publisher_custom_legitimate_interests": r.read_bitfield(num_custom),
    }
