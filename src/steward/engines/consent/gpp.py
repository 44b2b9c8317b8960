"""IAB Global Privacy Platform (GPP) strings: header and sections, decode and encode.

A GPP string is ``header~section~section…``. The header (base64url, starting ``DB``: type 3,
version 1) lists the section ids as a Fibonacci-coded range; each following part is one
section in that order: ``tcfeuv2`` (2, an EU TC string, decoded by :mod:`.tcf`), ``uspv1``
(6, the four-character CCPA string) and the US sections (7 ``usnat``, 8 ``usca``,
9 ``usva``, 10 ``usco``, 11 ``usut``, 12 ``usct`` and the other states, see
:mod:`.gpp_sections`). Sections Steward does not decode (e.g. 5 ``tcfcav1``) are kept
encoded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from steward.engines.consent.bits import BitReader, BitWriter
from steward.engines.consent.errors import (
    EMPTY,
    GPP_BLANK_SECTION,
    GPP_SECTION_COUNT,
    NOT_GPP,
    ConsentStringError,
)
from steward.engines.consent.gpp_sections import (
    GPC_FLAG,
    US_BY_ID,
    US_BY_NAME,
    USP_ID,
    USP_NAME,
    decode_us_section,
    decode_usp_section,
    encode_us_section,
    encode_usp_section,
)
from steward.engines.consent.tcf import TCString, decode_tc_string
from steward.engines.consent.tcf_encode import encode_tc_string

WHAT = "GPP string"
HEADER_TYPE, GPP_VERSION = 3, 1
TCFEU_ID, TCFEU_NAME = 2, "tcfeuv2"
#: Names of the sections Steward keeps encoded (it does not decode them).
OTHER_SECTION_NAMES = {1: "tcfeuv1", 5: "tcfcav1"}


@dataclass(frozen=True)
class GPPSection:
    """One section: its id, name, encoded text and (for decoded kinds) its fields.

    ``fields`` use the reference library's names; None when Steward does not decode the kind.
    ``tc`` holds the decoded TC string of a ``tcfeuv2`` section.
    """

    id: int
    name: str
    encoded: str
    fields: Mapping[str, Any] | None = None
    tc: TCString | None = None

    @property
    def decoded(self) -> bool:
        return self.fields is not None or self.tc is not None

    def to_dict(self) -> dict[str, Any]:
        if self.tc is not None:
            return self.tc.to_dict()
        if self.fields is not None:
            return dict(self.fields)
        return {"decoded": False, "encoded": self.encoded}


@dataclass(frozen=True)
class GPPString:
    """A decoded GPP string: header version, section ids in order, sections by name."""

    section_ids: tuple[int, ...]
    sections: Mapping[str, GPPSection]
    version: int = GPP_VERSION

    @property
    def gpc(self) -> bool | None:
        """The GPC signal of the sections' GPC sub-segments: True if any says so, None if
        no section carries one."""
        signals = [
            bool(s.fields["Gpc"])
            for s in self.sections.values()
            if s.fields is not None and s.fields.get(GPC_FLAG)
        ]
        return any(signals) if signals else None

    def to_dict(self) -> dict[str, Any]:
        """``{"kind": "gpp", "version", "sectionIds", "sections": {name: {...}}, "gpc"}``."""
        return {
            "kind": "gpp",
            "version": self.version,
            "sectionIds": list(self.section_ids),
            "sections": {name: s.to_dict() for name, s in self.sections.items()},
            "gpc": self.gpc,
        }


def section_name(section_id: int) -> str:
    if section_id == TCFEU_ID:
        return TCFEU_NAME
    if section_id == USP_ID:
        return USP_NAME
    if section_id in US_BY_ID:
        return US_BY_ID[section_id].name
    return OTHER_SECTION_NAMES.get(section_id, f"section{section_id}")


def section_id(name: str) -> int:
    if name == TCFEU_NAME:
        return TCFEU_ID
    if name == USP_NAME:
        return USP_ID
    if name in US_BY_NAME:
        return US_BY_NAME[name].id
    for sid, other in OTHER_SECTION_NAMES.items():
        if other == name:
            return sid
    if name.startswith("section") and name[7:].isdigit():
        return int(name[7:])
    raise ConsentStringError(f"GPP string: unknown section name {name!r}")


def decode_gpp_string(text: str) -> GPPString:
    """Decode a GPP string; raise :class:`ConsentStringError` if it is malformed."""
    text = text.strip()
    if not text:
        raise ConsentStringError(EMPTY.format(what=WHAT))
    parts = text.split("~")
    if not parts[0].startswith("DB"):
        raise ConsentStringError(NOT_GPP.format(start=parts[0][:2]))
    ids = _read_header(parts[0])
    if len(ids) != len(parts) - 1:
        raise ConsentStringError(GPP_SECTION_COUNT.format(listed=len(ids), found=len(parts) - 1))
    sections: dict[str, GPPSection] = {}
    for index, (sid, encoded) in enumerate(zip(ids, parts[1:], strict=True), start=1):
        name = section_name(sid)
        if not encoded.strip():
            raise ConsentStringError(GPP_BLANK_SECTION.format(index=index, name=name))
        sections[name] = _decode_section(sid, name, encoded)
    return GPPString(section_ids=tuple(ids), sections=sections)


def _read_header(encoded: str) -> list[int]:
    r = BitReader.from_base64url(encoded, what=WHAT, segment="header")
    r.read_int(6)  # type 3 and version 1: "DB", checked by the caller
    r.read_int(6)
    return _read_fibonacci_range(r)


def _read_fibonacci_range(r: BitReader) -> list[int]:
    ids: list[int] = []
    offset = 0
    for _ in range(r.read_int(12)):
        is_range = r.read_bool()
        start = offset + r.read_fibonacci()
        end = start + r.read_fibonacci() if is_range else start
        ids.extend(range(start, end + 1))
        offset = end
    return ids


def _decode_section(sid: int, name: str, encoded: str) -> GPPSection:
    if sid == TCFEU_ID:
        try:
            tc = decode_tc_string(encoded)
        except ConsentStringError as exc:
            raise ConsentStringError(f"GPP string: {name} section: {exc.message}") from exc
        return GPPSection(sid, name, encoded, tc=tc)
    if sid == USP_ID:
        return GPPSection(sid, name, encoded, fields=decode_usp_section(encoded))
    if sid in US_BY_ID:
        return GPPSection(sid, name, encoded, fields=decode_us_section(US_BY_ID[sid], encoded))
    return GPPSection(sid, name, encoded)


# --- encoding --------------------------------------------------------------------------------


def encode_gpp_string(gpp: GPPString) -> str:
    """Encode ``gpp``: header from the sections present, then sections by increasing id.

    A decoded section is written from its fields (or TC string), one kept encoded as is.
    """
    ordered = sorted(gpp.sections.values(), key=lambda s: s.id)
    header = BitWriter()
    header.write_int(HEADER_TYPE, 6, field="header.Id")
    header.write_int(gpp.version, 6, field="header.Version")
    _write_fibonacci_range(header, [s.id for s in ordered])
    out = [header.to_base64url(compressed=True)]
    for s in ordered:
        if s.tc is not None:
            out.append(encode_tc_string(s.tc))
        elif s.fields is not None and s.id == USP_ID:
            out.append(encode_usp_section(s.fields))
        elif s.fields is not None and s.id in US_BY_ID:
            out.append(encode_us_section(US_BY_ID[s.id], s.fields))
        else:
            out.append(s.encoded)
    return "~".join(out)


def _write_fibonacci_range(w: BitWriter, ids: list[int]) -> None:
    runs: list[tuple[int, int]] = []
    for i in sorted(set(ids)):
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    w.write_int(len(runs), 12, field="header.SectionIds")
    offset = 0
    for start, end in runs:
        w.write_bool(start != end)
        w.write_fibonacci(start - offset, field="header.SectionIds")
        if start != end:
            w.write_fibonacci(end - start, field="header.SectionIds")
        offset = end


def make_gpp_string(sections: Mapping[str, Mapping[str, Any] | TCString | str]) -> GPPString:
    """Build a :class:`GPPString` from ``{name: fields | TCString | encoded text}``.

    Fields use the reference names (see :mod:`.gpp_sections`); missing ones take their
    defaults, and a sub-segment is included when its flag (``GpcSegmentIncluded``) is true.
    """
    built: dict[str, GPPSection] = {}
    for name, value in sections.items():
        sid = section_id(name)
        if isinstance(value, TCString):
            built[name] = GPPSection(sid, name, encode_tc_string(value), tc=value)
        elif isinstance(value, str):
            built[name] = _decode_section(sid, name, value)
        elif sid in US_BY_ID:  # through the encoder: validated, defaults filled in
            built[name] = _decode_section(sid, name, encode_us_section(US_BY_ID[sid], value))
        elif sid == USP_ID:
            built[name] = _decode_section(sid, name, encode_usp_section(value))
        else:
            raise ConsentStringError(f"GPP string: section {name} takes only encoded text")
    ordered = dict(sorted(built.items(), key=lambda kv: kv[1].id))
    return GPPString(section_ids=tuple(s.id for s in ordered.values()), sections=ordered)
