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

    def _scan_hyperscan_many(self, texts: Sequence[str]) -> list[list[Hit]]:
        encoded = [t.encode("utf-8") for t in texts]
        starts: list[int] = []
        ends: list[int] = []
        position = 0
        for data in encoded:
            starts.append(position)
            position += len(data)
            ends.append(position)
            position += len(_SEPARATOR)
        raw: list[Hit] = []
        append = raw.append

        def on_match(pid: int, start: int, end: int, flags: int, context: object) -> None:
            append((pid, start, end))

        out: list[list[Hit]] = [[] for _ in texts]
        if not any(encoded):
            return out
        buffer = encoded[0] if len(encoded) == 1 else _SEPARATOR.join(encoded)
        self._db.scan(buffer, match_event_handler=on_match, scratch=self._scratch())
        if not raw:
            return out
        # leftmost-longest, then non-overlapping per pattern
        raw.sort(key=lambda h: (h[0], h[1], -h[2]))
        last_pid, last_end = -1, -1
        single = len(encoded) == 1
        for pid, start, end in raw:
            if pid != last_pid:
                last_pid, last_end = pid, -1
            if start < last_end or end <= start:
                continue
            last_end = end
            if single:
                out[0].append((pid, start, end))
                continue
            doc = bisect_right(starts, start) - 1
            if doc < 0 or start >= ends[doc]:  # began in the separator before the next text
                doc += 1
                start = starts[doc]
            if end > ends[doc] or end <= start:
                continue
            out[doc].append((pid, start - starts[doc], end - starts[doc]))
        for doc, hits in enumerate(out):
            if not hits:
                continue
            text = texts[doc]
            if len(encoded[doc]) != len(text):
                char_starts = _char_starts(text)
                hits = [(pid, bisect_right(char_starts, s) - 1, bisect_right(char_starts, e - 1))
                        for pid, s, e in hits]
            hits.sort(key=lambda h: (h[1], h[0]))
            out[doc] = hits
        return out


_SEPARATOR = b"\n\x00\n"


def _char_starts(text: str) -> list[int]:
    """The byte offset at which each character of ``text`` starts in its UTF-8 encoding."""
    starts: list[int] = []
    offset = 0
    for ch in text:
        starts.append(offset)
        code = ord(ch)
        offset += 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
    return starts
