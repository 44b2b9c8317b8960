"""PII detection: candidate patterns for one multi-pattern pass, then validators and context.

Structured identifiers (e-mail, card, IBAN, SSN, IP, phone) are found by shape and kept only when
their validator agrees. Person names and postal addresses have no checksum: they are found next
to the words that introduce them ("Name:", "Mr.", "address:") or by street-address shapes, and an
optional offline NER callable can add more. Entity types are named as Presidio names them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from steward.engines.pii import _validators as v
from steward.engines.pii._matcher import Hit, MultiPattern, Pattern

EMAIL_ADDRESS = "EMAIL_ADDRESS"
PHONE_NUMBER = "PHONE_NUMBER"
CREDIT_CARD = "CREDIT_CARD"
IBAN_CODE = "IBAN_CODE"
US_SSN = "US_SSN"
IP_ADDRESS = "IP_ADDRESS"
PERSON = "PERSON"
STREET_ADDRESS = "STREET_ADDRESS"
LOCATION = "LOCATION"

STRUCTURED_TYPES = (EMAIL_ADDRESS, IBAN_CODE, CREDIT_CARD, US_SSN, IP_ADDRESS, PHONE_NUMBER)
ENTITY_TYPES = (*STRUCTURED_TYPES, STREET_ADDRESS, PERSON, LOCATION)
_PRIORITY = {t: i for i, t in enumerate(ENTITY_TYPES)}

NerFunction = Callable[[str], Iterable[tuple[int, int, str]]]
"""An optional offline named-entity recogniser: text in, (start, end, entity type) out."""


@dataclass(frozen=True)
class PiiSpan:
    """One piece of personal data found in a text (character offsets, end exclusive)."""

    entity_type: str
    start: int
    end: int
    text: str
    detector: str = field(default="pattern", compare=False)


_object_new = object.__new__
_object_setattr = object.__setattr__


def _span(entity_type: str, start: int, end: int, text: str,
          detector: str = "pattern") -> PiiSpan:
    """``PiiSpan(entity_type, start, end, text, detector)`` without the frozen dataclass's
    per-field ``object.__setattr__`` calls (spans are made for every validated candidate)."""
    span = _object_new(PiiSpan)
    _object_setattr(span, "__dict__", {"entity_type": entity_type, "start": start, "end": end,
                                       "text": text, "detector": detector})
    return span


@dataclass(frozen=True)
class Candidate:
    name: str
    pattern: Pattern


_STREET_SUFFIX = ("street|st|avenue|ave|road|rd|way|lane|ln|drive|dr|boulevard|blvd|court|ct|"
                  "place|pl|square|sq|terrace|parkway|pkwy|highway|hwy|circle|crescent|close|"
                  "plaza|trail|alley|gardens|grove|hill|view|walk|strasse")

CANDIDATES: tuple[Candidate, ...] = (
    # the domain only, from the "@": a class that matches every word would make each word a
    # possible start; the local part is found by walking left in Python
    Candidate("email", Pattern(r"@[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9][a-z0-9\-]*)*\.[a-z]{2,24}\b")),
    Candidate("card", Pattern(r"\d(?:[ \-]?\d){11,18}")),
    Candidate("iban", Pattern(r"\b[a-z]{2}\d{2}(?:[ ]?[a-z0-9]){11,30}")),
    Candidate("ssn", Pattern(r"\d{3}[ \-]?\d{2}[ \-]?\d{4}")),
    Candidate("ipv4", Pattern(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")),
    Candidate("ipv6", Pattern(r"[0-9a-f]{0,4}:[0-9a-f]{0,4}:[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){0,5}")),
    Candidate("phone", Pattern(r"\+?\(?\d[\d().\- ]{5,22}\d(?:[ ]?(?:x|ext\.?)[ ]?\d{1,6})?")),
    Candidate("person_title", Pattern(r"\b(?:mr|mrs|ms|miss|mx|dr|prof|sir|madam)\.?[ \t]+")),
    Candidate("person_name_is", Pattern(r"\b(?:name is|name:|named|dear|regards,|sincerely,|"
                                        r"signed,)[ \t\n]*")),
    Candidate("address_street", Pattern(r"\b\d{1,6}[ \t]+(?:[a-z][a-z.'\-]*[ \t]+){1,4}"
                                        rf"(?:{_STREET_SUFFIX})\b")),
    Candidate("address_box", Pattern(r"\b(?:psc|unit|cmr)[ \t]+\d{2,5},?[ \t]+box[ \t]+\d{2,5}"
                                     r"|\b(?:apo|fpo|dpo)[ \t]+(?:aa|ae|ap)[ \t]+\d{5}"
                                     r"|\bp\.?[ ]?o\.?[ \t]+box[ \t]+\d{1,6}"
                                     r"|\busns[ \t]+[a-z]+")),
    Candidate("address_unit", Pattern(r"\b(?:apt|apartment|suite|ste)\.?[ \t]+#?\d{1,5}\b")),
    Candidate("address_trigger", Pattern(r"\b(?:address(?: is)?:?|sent to|moved to|live at|"
                                         r"lives at|located at)[ \t]*\n?[ \t]*")),
)
CANDIDATE_PATTERNS: tuple[Pattern, ...] = tuple(c.pattern for c in CANDIDATES)
_INDEX = {c.name: i for i, c in enumerate(CANDIDATES)}

PHONE_CONTEXT = re.compile(
    r"(?:phone|tel|telephone|mobile|cell|call|fax|desk|office|text|sms|whatsapp|messages? to|"
    r"reach|contact|number|registered|answering|dial|ring|hotline|helpline)\b[^\n]{0,20}$",
    re.I)
PHONE_AFTER = re.compile(r"\W{0,3}(?:office|fax|mobile|cell|home|work|phone|tel)\b", re.I)
NOT_PHONE_CONTEXT = re.compile(
    r"(?:order|tracking|invoice|sku|ref|reference|item|version|serial|model|zip|postal|"
    r"card|iban|ssn|account|id|isbn|code|no\.|#)\W{0,3}$"
    r"|(?:licen[cs]e|passport|order|tracking|invoice|serial|policy|membership|account)\b"
    r"[^\n]{0,20}$", re.I)
FOLLOWED_BY_NAME = re.compile(r"[ \t]+[A-Z][a-z]{2,}")
CARD_CONTEXT = re.compile(r"(?:card|visa|mastercard|amex|credit|debit|cc|pan)\b[^\n]{0,12}$",
                          re.I)
NOT_NUMBER_CONTEXT = re.compile(r"(?:order|tracking|invoice|sku|ref|reference|item|serial|"
                                r"isbn|version|build|v)\W{0,3}$", re.I)
SSN_CONTEXT = re.compile(r"(?:ssn|social security|social sec|ss#|ss no)\b[^\n]{0,15}$", re.I)
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_SSN_SHAPE = re.compile(r"^\d{3}-\d{2}-\d{4}$")
_NAME_TOKEN = re.compile(r"[^\W\d_][\w'’\-]*\.?|[^\W\d_]\.")
_STOP_NAMES = frozenset({"I", "The", "A", "An", "We", "You", "My", "Our", "Your", "This", "That",
                         "There", "Here", "Sir", "Madam", "Team", "Customer", "Customers", "All",
                         "Everyone", "Friend", "Friends", "Thanks", "Thank", "Hi", "Hello", "Dear",
                         "Please", "Can", "Could", "Would", "Will", "It", "Is", "And", "Or", "Not",
                         "Sorry", "Glad", "Happy", "Good", "Just", "So", "Very", "Interested",
                         "Looking", "Writing", "Contacting", "Calling", "Having", "Going", "Trying",
                         "Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof"})


def _before(text: str, start: int, width: int = 30) -> str:
    """Up to ``width`` characters before ``start`` on its line (or the previous line's label)."""
    line_start = text.rfind("\n", 0, start) + 1
    if not text[line_start:start].strip() and line_start > 0:
        line_start = text.rfind("\n", 0, line_start - 1) + 1
        return text[max(line_start, start - width):start].replace("\n", " ")
    return text[max(line_start, start - width):start]


def _isolated(text: str, start: int, end: int, *, extra: str = "") -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before in extra or after.isalnum() or after in extra)


class PiiDetector:
    """Validate the candidates of one pass into :class:`PiiSpan` objects.

    ``phone_regions`` are the regions a national phone number (no ``+``) is checked against;
    ``ner`` is an optional offline recogniser adding PERSON and LOCATION spans.
    """

    def __init__(self, *, phone_regions: Sequence[str] = v.DEFAULT_PHONE_REGIONS,
                 ner: NerFunction | None = None, engine: str | None = None) -> None:
        self.phone_regions = tuple(phone_regions)
        self.ner = ner
        self._matcher: MultiPattern | None = None
        self._engine = engine

    @property
    def matcher(self) -> MultiPattern:
        if self._matcher is None:
            self._matcher = MultiPattern(CANDIDATE_PATTERNS, engine=self._engine)
        return self._matcher

    def detect(self, text: str) -> list[PiiSpan]:
        """All PII spans in ``text``, ordered by start."""
        return self.resolve(text, self.matcher.scan(text))

    def detect_many(self, texts: Sequence[str | None]) -> list[list[PiiSpan]]:
        """:meth:`detect` for many short texts (table cells) in one engine call; ``None`` and
        empty cells give no spans."""
        cells = [t or "" for t in texts]
        hits = self.matcher.scan_many(cells)
        return [self.resolve(t, h) if h else [] for t, h in zip(cells, hits, strict=True)]

    def resolve(self, text: str, hits: Iterable[Hit]) -> list[PiiSpan]:
        """Turn candidate hits (indices into :data:`CANDIDATES`) into validated spans."""
        found: list[PiiSpan] = []
        for pid, start, end in hits:
            span = _HANDLERS[pid](self, text, start, end)
            if span is not None:
                found.append(span)
        return self._finish(text, found)

    def resolve_by_start(self, text: str, hits: Iterable[tuple[int, int, int]]) -> list[PiiSpan]:
        """:meth:`resolve` for hits given as ``(start, candidate index, end)`` (the order
        :meth:`MultiPattern.scan_grouped` returns them in)."""
        found: list[PiiSpan] = []
        for start, pid, end in hits:
            span = _HANDLERS[pid](self, text, start, end)
            if span is not None:
                found.append(span)
        return self._finish(text, found)

    def _finish(self, text: str, found: list[PiiSpan]) -> list[PiiSpan]:
        if self.ner is not None:
            for start, end, label in self.ner(text):
                found.append(_span(label, start, end, text[start:end], "ner"))
        if len(found) < 2:  # nothing to settle
            return found
        return _settle(text, found)

    # -- handlers, one per candidate kind -------------------------------------------------------

    def _email(self, text: str, start: int, end: int) -> PiiSpan | None:
        at = start
        while start > 0 and start > at - 64 and text[start - 1] in _LOCAL_CHARS:
            start -= 1
        local, _, domain = text[start:end].partition("@")
        if not local:
            return None
        if local.startswith(".") or local.endswith(".") or ".." in local or ".." in domain:
            return None
        return _span(EMAIL_ADDRESS, start, end, text[start:end])

    def _card(self, text: str, start: int, end: int) -> PiiSpan | None:
        if NOT_NUMBER_CONTEXT.search(_before(text, start)):
            return None
        for s, e in _sub_spans(text, start, end):
            if not _isolated(text, s, e, extra="-"):
                continue
            candidate = text[s:e]
            if v.valid_card(candidate):
                return _span(CREDIT_CARD, s, e, candidate)
            digits = v._digits(candidate)
            if (14 <= len(digits) <= 19 and v.luhn_ok(digits) and len(set(digits)) > 2
                    and CARD_CONTEXT.search(_before(text, s, 40))):
                return _span(CREDIT_CARD, s, e, candidate, "luhn+context")
        return None

    def _iban(self, text: str, start: int, end: int) -> PiiSpan | None:
        length = v.IBAN_LENGTHS.get(text[start:start + 2].upper())
        if length is None:
            return None
        count, stop = 0, start
        while stop < end and count < length:
            if text[stop] != " ":
                count += 1
            stop += 1
        if count != length or not _isolated(text, start, stop):
            return None
        candidate = text[start:stop]
        return _span(IBAN_CODE, start, stop, candidate) if v.valid_iban(candidate) else None

    def _ssn(self, text: str, start: int, end: int) -> PiiSpan | None:
        if not _isolated(text, start, end, extra="-."):
            return None
        candidate = text[start:end]
        seps = {ch for ch in candidate if not ch.isdigit()}
        if len(seps) > 1 or (len(seps) == 1 and not (candidate[3] in seps
                                                     and candidate[-5] in seps)):
            return None
        if not seps and not SSN_CONTEXT.search(_before(text, start, 40)):
            return None
        return _span(US_SSN, start, end, candidate) if v.valid_ssn(candidate) else None

    def _ipv4(self, text: str, start: int, end: int) -> PiiSpan | None:
        if not _isolated(text, start, end) or NOT_NUMBER_CONTEXT.search(_before(text, start, 12)):
            return None
        if (start > 0 and text[start - 1] == ".") or text[end:end + 2][:1] == "." and \
                text[end + 1:end + 2].isdigit():
            return None
        candidate = text[start:end]
        return _span(IP_ADDRESS, start, end, candidate) if v.valid_ip(candidate) else None

    def _ipv6(self, text: str, start: int, end: int) -> PiiSpan | None:
        candidate = text[start:end]
        if candidate.count(":") < 2 or not _isolated(text, start, end, extra=":"):
            return None
        return _span(IP_ADDRESS, start, end, candidate) if v.valid_ip(candidate) else None

    def _phone(self, text: str, start: int, end: int) -> PiiSpan | None:
        # trim unbalanced parentheses and separators the greedy class took in
        while end > start and text[end - 1] in " .-(":
            end -= 1
        if text[start] == ")":
            start += 1
        candidate = text[start:end]
        if candidate.count("(") != candidate.count(")") and candidate.startswith("("):
            return None
        if not _isolated(text, start, end, extra="/_") or not v.phone_shaped(candidate):
            return None
        if _SSN_SHAPE.match(candidate):
            return None
        before = _before(text, start)
        if NOT_PHONE_CONTEXT.search(before):
            return None
        if PHONE_CONTEXT.search(before) or PHONE_AFTER.match(text, end):
            return _span(PHONE_NUMBER, start, end, candidate, "shape+context")
        if FOLLOWED_BY_NAME.match(text, end):  # a house number before a street name
            return None
        if v.valid_phone(candidate.split(" x")[0].split("x")[0], self.phone_regions):
            return _span(PHONE_NUMBER, start, end, candidate, "phonenumbers")
        return None

    def _person_after(self, text: str, start: int, end: int) -> PiiSpan | None:
        tokens: list[tuple[int, int]] = []
        pos = end
        while len(tokens) < 4:
            match = _NAME_TOKEN.match(text, pos)
            if not match or not match.group()[0].isupper():
                break
            word = match.group().rstrip(".")
            if word in _STOP_NAMES or (word.isupper() and len(word) > 2):
                break
            tokens.append((match.start(), match.end()))
            pos = match.end()
            gap = len(text) - len(text[pos:].lstrip(" \t"))
            if gap == pos or gap - pos > 4:
                break
            pos = gap
        if not tokens:
            return None
        s, e = tokens[0][0], tokens[-1][1]
        if text[e - 1] == "." and e - s > 2 and not text[e - 2].isupper():
            e -= 1
        return _span(PERSON, s, e, text[s:e], "context")

    def _address(self, text: str, start: int, end: int) -> PiiSpan | None:
        return _span(STREET_ADDRESS, start, end, text[start:end])

    def _address_after(self, text: str, start: int, end: int) -> PiiSpan | None:
        stop = text.find("\n", end)
        stop = len(text) if stop < 0 else stop
        line = text[end:stop].rstrip(" .?!,")
        if not line or not any(ch.isdigit() for ch in line[:40]):
            return None
        return _span(STREET_ADDRESS, end, end + len(line), line, "context")


def _sub_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The whole candidate, then with whole separated groups dropped from either end."""
    spans = [(start, end)]
    cuts = [i for i in range(start, end) if text[i] in " -"]
    for cut in reversed(cuts):
        spans.append((start, cut))
    for cut in cuts:
        spans.append((cut + 1, end))
    return spans


_HANDLERS: tuple[Callable[[PiiDetector, str, int, int], PiiSpan | None], ...] = tuple(
    {
        "email": PiiDetector._email, "card": PiiDetector._card, "iban": PiiDetector._iban,
        "ssn": PiiDetector._ssn, "ipv4": PiiDetector._ipv4, "ipv6": PiiDetector._ipv6,
        "phone": PiiDetector._phone, "person_title": PiiDetector._person_after,
        "person_name_is": PiiDetector._person_after, "address_street": PiiDetector._address,
        "address_box": PiiDetector._address, "address_unit": PiiDetector._address,
        "address_trigger": PiiDetector._address_after,
    }[c.name] for c in CANDIDATES
)


def _settle(text: str, found: list[PiiSpan]) -> list[PiiSpan]:
    """Higher-priority types win overlaps; overlapping spans of one type merge."""
    found.sort(key=lambda s: (_PRIORITY.get(s.entity_type, 99), s.start, -s.end))
    kept: list[PiiSpan] = []
    for span in found:
        clash = False
        for i, other in enumerate(kept):
            if span.start < other.end and other.start < span.end:
                if other.entity_type == span.entity_type and span.entity_type in (
                        STREET_ADDRESS, PERSON, LOCATION):
                    s, e = min(other.start, span.start), max(other.end, span.end)
                    kept[i] = _span(other.entity_type, s, e, text[s:e], other.detector)
                clash = True
                break
        if not clash:
            kept.append(span)
    kept.sort(key=lambda s: (s.start, s.end))
    return kept
