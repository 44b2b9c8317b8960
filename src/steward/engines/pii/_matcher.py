"""One pass of many patterns over a text: Hyperscan when it is installed, Python ``re`` otherwise.

Patterns use the syntax both engines share (no look-around, no back-references, ASCII classes).
Hyperscan reports, for every end offset, the leftmost start (``HS_FLAG_SOM_LEFTMOST``); we keep
the longest match per start and then, per pattern, the non-overlapping matches from the left —
leftmost-longest, which is what a greedy ``re.finditer`` gives for the patterns we write. Offsets
are character offsets into the ``str`` scanned, whichever engine ran.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from operator import add, itemgetter

try:  # pragma: no cover - exercised by whichever engine the machine has
    import hyperscan
except ImportError:  # pragma: no cover
    hyperscan = None

Hit = tuple[int, int, int]
"""(pattern index, start, end) in characters."""


@dataclass(frozen=True)
class Pattern:
    """A regular expression in the subset Hyperscan and ``re`` share."""

    regex: str
    caseless: bool = True


class MultiPattern:
    """Compile patterns once; :meth:`scan` returns every pattern's matches from one pass."""

    def __init__(self, patterns: Sequence[Pattern], *, engine: str | None = None) -> None:
        self.patterns = tuple(patterns)
        wanted = engine or ("hyperscan" if hyperscan is not None else "re")
        if wanted == "hyperscan" and hyperscan is None:
            raise RuntimeError("hyperscan is not installed")
        self.engine = wanted
        self._local = threading.local()
        if not self.patterns:
            self.engine = "none"
        elif wanted == "hyperscan":
            self._db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            flags = [hyperscan.HS_FLAG_SOM_LEFTMOST
                     | (hyperscan.HS_FLAG_CASELESS if p.caseless else 0) for p in self.patterns]
            try:
                self._db.compile(expressions=[p.regex.encode("ascii") for p in self.patterns],
                                 ids=list(range(len(self.patterns))),
                                 elements=len(self.patterns), flags=flags)
            except hyperscan.error as exc:
                raise ValueError(self._culprit(flags) or f"patterns do not compile: {exc}") \
                    from None
        else:
            self._compiled = [re.compile(p.regex, re.ASCII | (re.I if p.caseless else 0))
                              for p in self.patterns]

    def _culprit(self, flags: list[int]) -> str | None:
        """Name the first pattern Hyperscan refuses on its own (for a one-line error)."""
        for pattern, flag in zip(self.patterns, flags, strict=True):
            try:
                hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK).compile(
                    expressions=[pattern.regex.encode("ascii")], ids=[0], elements=1,
                    flags=[flag])
            except hyperscan.error as exc:
                return f"pattern {pattern.regex!r} cannot be compiled: {exc}"
        return None

    def scan(self, text: str) -> list[Hit]:
        """Every pattern's leftmost-longest, non-overlapping matches, ordered by start."""
        if self.engine == "none" or not text:
            return []
        if self.engine == "re":
            hits = [(i, m.start(), m.end()) for i, rx in enumerate(self._compiled)
                    for m in rx.finditer(text) if m.end() > m.start()]
            hits.sort(key=lambda h: (h[1], h[0]))
            return hits
        return self._scan_hyperscan(text)

    def _scratch(self):  # type: ignore[no-untyped-def]
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = hyperscan.Scratch(self._db)
        return scratch

    def _scan_hyperscan(self, text: str) -> list[Hit]:
        return self._scan_hyperscan_many([text])[0]

    def scan_many(self, texts: Sequence[str]) -> list[list[Hit]]:
        """:meth:`scan` for each text; Hyperscan reads them all in one call."""
        if self.engine != "hyperscan":
            return [self.scan(t) for t in texts]
        return self._scan_hyperscan_many(texts)

    def scan_grouped(self, texts: Sequence[str]) -> dict[int, list[tuple[int, int, int]]]:
        """:meth:`scan_many` as ``{text index: hits}`` for the texts with hits, each hit as
        ``(start, pattern index, end)`` in the same order (by start, then pattern): the form the
        content scanner consumes without re-packing."""
        if self.engine != "hyperscan":
            grouped = {}
            for doc, text in enumerate(texts):
                hits = self.scan(text)
                if hits:
                    grouped[doc] = [(s, pid, e) for pid, s, e in hits]
            return grouped
        return self._scan_grouped(texts)

    def _scan_hyperscan_many(self, texts: Sequence[str]) -> list[list[Hit]]:
        grouped = self._scan_grouped(texts)
        out: list[list[Hit]] = [[] for _ in texts]
        for doc, hits in grouped.items():
            out[doc] = [(pid, s, e) for s, pid, e in hits]
        return out

    def _scan_grouped(self, texts: Sequence[str]) -> dict[int, list[tuple[int, int, int]]]:
        """One Hyperscan call over all ``texts`` joined by a separator; hits mapped back.

        Each raw hit is packed into one integer ordered by start, then pattern, then longest
        first (ints sort fast and are not tracked by the garbage collector) and sorted once: per
        pattern that is the order leftmost-longest needs, and overall it is the order each
        text's hits are returned in, so they are split between texts in one sweep.
        """
        n = len(texts)
        out: dict[int, list[tuple[int, int, int]]] = {}
        if not n or not any(texts):
            return out
        joined = texts[0] if n == 1 else _SEPARATOR_STR.join(texts)
        buffer = joined.encode("utf-8")
        ascii_only = len(buffer) == len(joined)
        lengths = ([len(t) for t in texts] if ascii_only
                   else [len(t) if t.isascii() else len(t.encode("utf-8")) for t in texts])
        step = len(_SEPARATOR)
        starts = list(accumulate([length + step for length in lengths[:-1]], initial=0))
        ends = list(map(add, starts, lengths))
        end_bits = (len(buffer) + 1).bit_length()
        end_mask = (1 << end_bits) - 1
        pid_bits = len(self.patterns).bit_length()
        pid_mask = (1 << pid_bits) - 1
        start_shift = end_bits + pid_bits
        raw: list[int] = []
        append = raw.append

        def on_match(pid: int, start: int, end: int, flags: int, context: object) -> None:
            append((start << start_shift) | (pid << end_bits) | (end_mask - end))

        self._db.scan(buffer, match_event_handler=on_match, scratch=self._scratch())
        if not raw:
            return out
        raw.sort()
        # leftmost-longest, then non-overlapping per pattern (each pattern's hits arrive by
        # start, longest first); a hit that begins in a separator belongs to the next text
        last_end = [-1] * len(self.patterns)
        doc, doc_start, doc_end, hits = -1, 0, -1, []
        unsorted: set[int] = set()
        for packed in raw:
            start = packed >> start_shift
            pid = (packed >> end_bits) & pid_mask
            end = end_mask - (packed & end_mask)
            if start < last_end[pid] or end <= start:
                continue
            last_end[pid] = end
            if not doc_start <= start < doc_end:
                doc = bisect_right(starts, start) - 1
                if doc < 0 or start >= ends[doc]:  # began in the separator before the next text
                    doc += 1
                doc_start, doc_end = starts[doc], ends[doc]
                hits = out.get(doc) or out.setdefault(doc, [])
            if start < doc_start:
                start = doc_start
                unsorted.add(doc)
            if end > doc_end or end <= start:
                continue
            hits.append((start - doc_start, pid, end - doc_start))
        for doc in unsorted:
            out[doc].sort(key=_START_PID)
        for doc in [d for d, h in out.items() if not h]:  # every hit of a text dropped
            del out[doc]
        if not ascii_only:
            for doc, hits in out.items():
                text = texts[doc]
                if lengths[doc] == len(text):
                    continue
                char_starts = _char_starts(text)
                hits = [(bisect_right(char_starts, s) - 1, pid, bisect_right(char_starts, e - 1))
                        for s, pid, e in hits]
                hits.sort(key=_START_PID)
                out[doc] = hits
        return out


_SEPARATOR = b"\n\x00\n"
_SEPARATOR_STR = _SEPARATOR.decode("ascii")
_START_PID = itemgetter(0, 1)


def _char_starts(text: str) -> list[int]:
    """The byte offset at which each character of ``text`` starts in its UTF-8 encoding."""
    starts: list[int] = []
    offset = 0
    for ch in text:
        starts.append(offset)
        code = ord(ch)
        offset += 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
    return starts
