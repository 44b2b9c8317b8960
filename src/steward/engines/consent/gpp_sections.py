"""The GPP US privacy sections as data: one field table per section, one reader, one writer.

Each US section (``usnat`` and the state sections) is a core segment of fixed-width fields,
optionally followed by ``.`` and a sub-segment: a Global Privacy Control segment
(``GpcSegmentType``, ``Gpc``) for most sections, a sensitive-data consent segment for
``usin``, ``usky`` and ``usri``. Field names are those of the IAB reference library
(``@iabgpp/cmpapi``); most fields are 2-bit codes (0 not applicable, 1 yes / opted out,
2 no / did not opt out), lists are lists of such codes. Tables follow the IAB GPP
specifications of each section.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from steward.engines.consent.bits import BitReader, BitWriter
from steward.engines.consent.errors import (
    EMPTY_SEGMENT,
    ENCODE_RANGE,
    GPP_BAD_USP,
    GPP_TOO_MANY_SEGMENTS,
    ConsentStringError,
)

WHAT = "GPP string"


@dataclass(frozen=True)
class FieldSpec:
    """A field: ``bits`` wide, or a list of ``count`` 2-bit codes, or a 1-bit boolean."""

    name: str
    bits: int = 2
    count: int | None = None
    boolean: bool = False


@dataclass(frozen=True)
class SectionSpec:
    id: int
    name: str
    version: int
    core: tuple[FieldSpec, ...]
    sub: tuple[FieldSpec, ...] = ()
    sub_flag: str | None = None  # name of the "sub-segment included" flag


def _parse(spec: str) -> tuple[FieldSpec, ...]:
    """``"Version:6 SaleOptOut SensitiveDataProcessing*8"``: width after ':', list after '*'."""
    out = []
    for token in spec.split():
        if ":" in token:
            name, bits = token.split(":")
            out.append(FieldSpec(name, bits=int(bits)))
        elif "*" in token:
            name, count = token.split("*")
            out.append(FieldSpec(name, count=int(count)))
        else:
            out.append(FieldSpec(token))
    return tuple(out)


GPC_FLAG = "GpcSegmentIncluded"
SENSITIVE_FLAG = "SensitiveDataConsentSegmentIncluded"
_GPC = (FieldSpec("GpcSegmentType"), FieldSpec("Gpc", bits=1, boolean=True))
_SENSITIVE = _parse("SensitiveDataProcessing*8")
_MSPA = "MspaCoveredTransaction MspaOptOutOptionMode MspaServiceProviderMode"
_STATE = "Version:6 ProcessingNotice SaleOptOutNotice TargetedAdvertisingOptOutNotice"
_STATE_OPT_OUTS = "SaleOptOut TargetedAdvertisingOptOut"
_NEW_STATE = (
    "MspaVersion:6 MspaCoveredTransaction MspaMode ProcessingNotice SaleOptOutNotice "
    "TargetedAdvertisingOptOutNotice SaleOptOut TargetedAdvertisingOptOut"
)


def _state(sid: int, name: str, body: str, sub: str = "gpc") -> SectionSpec:
    if sub == "gpc":
        return SectionSpec(sid, name, 1, _parse(body), _GPC, GPC_FLAG)
    if sub == "sensitive":
        return SectionSpec(sid, name, 1, _parse(body), _SENSITIVE, SENSITIVE_FLAG)
    return SectionSpec(sid, name, 1, _parse(body))


_USNAT_HEAD = (
    "Version:6 SharingNotice SaleOptOutNotice SharingOptOutNotice "
    "TargetedAdvertisingOptOutNotice SensitiveDataProcessingOptOutNotice "
    "SensitiveDataLimitUseNotice SaleOptOut SharingOptOut TargetedAdvertisingOptOut"
)
_USNAT_TAIL = f"PersonalDataConsents {_MSPA}"
USNAT = SectionSpec(
    7,
    "usnat",
    2,
    _parse(
        f"{_USNAT_HEAD} SensitiveDataProcessing*16 KnownChildSensitiveDataConsents*3 {_USNAT_TAIL}"
    ),
    _GPC,
    GPC_FLAG,
)
#: usnat version 1 had 12 sensitive-data categories and 2 child-consent codes.
USNAT_V1_CORE = _parse(
    f"{_USNAT_HEAD} SensitiveDataProcessing*12 KnownChildSensitiveDataConsents*2 {_USNAT_TAIL}"
)

US_SECTIONS: tuple[SectionSpec, ...] = (
    USNAT,
    _state(
        8,
        "usca",
        "Version:6 SaleOptOutNotice SharingOptOutNotice SensitiveDataLimitUseNotice "
        "SaleOptOut SharingOptOut SensitiveDataProcessing*9 KnownChildSensitiveDataConsents*2 "
        f"PersonalDataConsents {_MSPA}",
    ),
    _state(
        9,
        "usva",
        "Version:6 SharingNotice SaleOptOutNotice TargetedAdvertisingOptOutNotice "
        f"{_STATE_OPT_OUTS} SensitiveDataProcessing*8 KnownChildSensitiveDataConsents {_MSPA}",
        sub="",
    ),
    _state(
        10,
        "usco",
        "Version:6 SharingNotice SaleOptOutNotice TargetedAdvertisingOptOutNotice "
        f"{_STATE_OPT_OUTS} SensitiveDataProcessing*7 KnownChildSensitiveDataConsents {_MSPA}",
    ),
    _state(
        11,
        "usut",
        "Version:6 SharingNotice SaleOptOutNotice TargetedAdvertisingOptOutNotice "
        f"SensitiveDataProcessingOptOutNotice {_STATE_OPT_OUTS} SensitiveDataProcessing*8 "
        f"KnownChildSensitiveDataConsents {_MSPA}",
        sub="",
    ),
    _state(
        12,
        "usct",
        "Version:6 SharingNotice SaleOptOutNotice TargetedAdvertisingOptOutNotice "
        f"{_STATE_OPT_OUTS} SensitiveDataProcessing*8 KnownChildSensitiveDataConsents*3 "
        f"{_MSPA}",
    ),
    _state(
        13,
        "usfl",
        f"{_STATE} {_STATE_OPT_OUTS} SensitiveDataProcessing*8 "
        f"KnownChildSensitiveDataConsents*3 AdditionalDataProcessingConsent {_MSPA}",
        sub="",
    ),
    _state(
        14,
        "usmt",
        "Version:6 SharingNotice SaleOptOutNotice TargetedAdvertisingOptOutNotice "
        f"{_STATE_OPT_OUTS} SensitiveDataProcessing*8 "
        f"KnownChildSensitiveDataConsents*3 AdditionalDataProcessingConsent {_MSPA}",
    ),
    _state(
        15,
        "usor",
        f"{_STATE} {_STATE_OPT_OUTS} SensitiveDataProcessing*11 "
        f"KnownChildSensitiveDataConsents*3 AdditionalDataProcessingConsent {_MSPA}",
    ),
    _state(
        16,
        "ustx",
        f"{_STATE} {_STATE_OPT_OUTS} SensitiveDataProcessing*8 "
        f"KnownChildSensitiveDataConsents AdditionalDataProcessingConsent {_MSPA}",
    ),
    _state(
        17,
        "usde",
        f"{_STATE} {_STATE_OPT_OUTS} SensitiveDataProcessing*9 "
        f"KnownChildSensitiveDataConsents*5 AdditionalDataProcessingConsent {_MSPA}",
    ),
    _state(
        18,
        "usia",
        f"{_STATE} SensitiveDataOptOutNotice {_STATE_OPT_OUTS} "
        f"SensitiveDataProcessing*8 KnownChildSensitiveDataConsents {_MSPA}",
    ),
    _state(
        19,
        "usne",
        f"{_STATE} {_STATE_OPT_OUTS} SensitiveDataProcessing*8 "
        f"KnownChildSensitiveDataConsents AdditionalDataProcessingConsent {_MSPA}",
    ),
    _state(
        20,
        "usnh",
        f"{_STATE} {_STATE_OPT_OUTS} SensitiveDataProcessing*8 "
        f"KnownChildSensitiveDataConsents*3 AdditionalDataProcessingConsent {_MSPA}",
    ),
    _state(
        21,
        "usnj",
        f"{_STATE} {_STATE_OPT_OUTS} SensitiveDataProcessing*10 "
        f"KnownChildSensitiveDataConsents*5 AdditionalDataProcessingConsent {_MSPA}",
    ),
    _state(
        22,
        "ustn",
        f"{_STATE} {_STATE_OPT_OUTS} SensitiveDataProcessing*8 "
        f"KnownChildSensitiveDataConsents AdditionalDataProcessingConsent {_MSPA}",
    ),
    _state(
        23,
        "usmn",
        f"{_STATE} {_STATE_OPT_OUTS} SensitiveDataProcessing*8 "
        f"KnownChildSensitiveDataConsents AdditionalDataProcessingConsent {_MSPA}",
    ),
    _state(24, "usmd", f"{_NEW_STATE} AdditionalDataProcessingConsent"),
    _state(
        25,
        "usin",
        f"{_NEW_STATE} KnownChildSensitiveDataConsents AdditionalDataProcessingConsent",
        sub="sensitive",
    ),
    _state(
        26,
        "usky",
        f"{_NEW_STATE} KnownChildSensitiveDataConsents AdditionalDataProcessingConsent",
        sub="sensitive",
    ),
    _state(
        27,
        "usri",
        f"{_NEW_STATE} KnownChildSensitiveDataConsents AdditionalDataProcessingConsent",
        sub="sensitive",
    ),
)
US_BY_ID = {s.id: s for s in US_SECTIONS}
US_BY_NAME = {s.name: s for s in US_SECTIONS}

USP_ID, USP_NAME = 6, "uspv1"
USP_CHARS = frozenset("YN-")


def default_value(f: FieldSpec, version: int) -> Any:
    """The value a field has when the string does not set it (as the reference)."""
    if f.boolean:
        return False
    if f.count is not None:
        return [0] * f.count
    if f.name in ("Version", "MspaVersion"):
        return version
    if f.name in ("MspaCoveredTransaction", "GpcSegmentType"):
        return 1
    return 0


def _read_fields(r: BitReader, specs: tuple[FieldSpec, ...], out: dict[str, Any]) -> None:
    for f in specs:
        if f.boolean:
            out[f.name] = r.read_bool()
        elif f.count is not None:
            out[f.name] = [r.read_int(f.bits) for _ in range(f.count)]
        else:
            out[f.name] = r.read_int(f.bits)


def _segments(encoded: str, name: str, most: int) -> list[str]:
    parts = encoded.split(".")
    if len(parts) > most:
        raise ConsentStringError(
            GPP_TOO_MANY_SEGMENTS.format(name=name, count=len(parts), most=most)
        )
    for index, part in enumerate(parts, start=1):
        if not part:
            raise ConsentStringError(EMPTY_SEGMENT.format(what=f"{WHAT} {name}", index=index))
    return parts


def decode_us_section(spec: SectionSpec, encoded: str) -> dict[str, Any]:
    """Decode one US section to its fields, in the reference library's order."""
    parts = _segments(encoded, spec.name, 2 if spec.sub else 1)
    what = f"{WHAT} {spec.name} section"
    core = BitReader.from_base64url(parts[0], what=what, segment="core segment")
    fields: dict[str, Any] = {}
    if spec is USNAT and core.length in (60, 66):
        # usnat version 1 layout (the reference tells it by length, then pads the lists)
        _read_fields(core, USNAT_V1_CORE, fields)
        fields["SensitiveDataProcessing"] += [0] * 4
        fields["KnownChildSensitiveDataConsents"] += [0]
    else:
        _read_fields(core, spec.core, fields)
    if spec is USNAT and fields["Version"] == 1:
        fields["SensitiveDataProcessing"] = fields["SensitiveDataProcessing"][:12]
        fields["KnownChildSensitiveDataConsents"] = fields["KnownChildSensitiveDataConsents"][:2]
    if spec.sub:
        if len(parts) > 1:
            sub = BitReader.from_base64url(parts[1], what=what, segment="sub-segment")
            _read_fields(sub, spec.sub, fields)
        else:
            fields.update({f.name: default_value(f, spec.version) for f in spec.sub})
        fields[spec.sub_flag] = len(parts) > 1
    return fields


def encode_us_section(spec: SectionSpec, values: Mapping[str, Any]) -> str:
    """Encode a US section from field values; missing fields take their defaults."""
    version = values.get("Version", spec.version)
    core = USNAT_V1_CORE if spec is USNAT and version == 1 else spec.core
    out = [_write_fields(spec, core, values).to_base64url(compressed=True)]
    if spec.sub and values.get(spec.sub_flag, False):
        out.append(_write_fields(spec, spec.sub, values).to_base64url(compressed=True))
    return ".".join(out)


def _write_fields(
    spec: SectionSpec, specs: tuple[FieldSpec, ...], values: Mapping[str, Any]
) -> BitWriter:
    w = BitWriter()
    for f in specs:
        value = values.get(f.name, default_value(f, spec.version))
        label = f"{spec.name}.{f.name}"
        if f.boolean:
            w.write_bool(bool(value))
        elif f.count is not None:
            items = list(value)
            if len(items) > f.count:
                raise ConsentStringError(
                    ENCODE_RANGE.format(
                        field=label, value=items, problem=f"at most {f.count} values"
                    )
                )
            for item in items + [0] * (f.count - len(items)):
                w.write_int(item, f.bits, field=label)
        else:
            w.write_int(value, f.bits, field=label)
    return w


def decode_usp_section(encoded: str) -> dict[str, Any]:
    """``uspv1``: the CCPA US Privacy string, four characters like ``1YNN``."""
    if len(encoded) != 4 or not encoded[0].isdigit() or not set(encoded[1:]) <= USP_CHARS:
        raise ConsentStringError(GPP_BAD_USP.format(value=encoded))
    return {
        "Version": int(encoded[0]),
        "Notice": encoded[1],
        "OptOutSale": encoded[2],
        "LspaCovered": encoded[3],
    }


def encode_usp_section(values: Mapping[str, Any]) -> str:
    text = (
        f"{values.get('Version', 1)}{values.get('Notice', '-')}"
        f"{values.get('OptOutSale', '-')}{values.get('LspaCovered', '-')}"
    )
    decode_usp_section(text)  # validates
    return text
