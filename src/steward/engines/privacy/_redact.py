"""Free-text redaction with the content guard's detectors, plus what the row itself tells us.

A note such as "Spoke to Ada Lovelace, she asked us to use ada.l@example.org" holds PII the
shared detectors find by shape (the e-mail address, a phone number) and names they cannot find
without a named-entity model. The table helps: the row's own values of the columns the plan
protects (``also``) are redacted wherever they appear, and for name columns every name in those
columns (a vocabulary of their distinct words) is redacted as a whole word, case-insensitively —
so a note naming another customer is caught too. Each piece becomes ``<ENTITY_TYPE>``.

:class:`Redactor` works on Arrow record batches, so the same code runs in DuckDB's streaming
pipeline and inside Spark's ``mapInArrow``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from steward.engines.pii import MultiPattern, Pattern, PiiDetector

_WORD = re.compile(r"[^\W\d_][\w'’\-]*", re.UNICODE)
MIN_ALSO_LENGTH = 3
MAX_VOCABULARY = 500_000
"""Name columns with more distinct values than this are redacted by row only."""
HELPER_PREFIX = "__steward_also_"


def np_mask(length: int, indices: Any) -> Any:
    """A boolean NumPy mask of ``length`` with ``indices`` set."""
    import numpy as np

    mask = np.zeros(length, dtype=bool)
    mask[indices.to_numpy()] = True
    return mask


def name_words(values: Iterable[str | None]) -> set[str]:
    """The lower-cased words (two letters or more) of name values."""
    words: set[str] = set()
    for value in values:
        if value:
            words.update(w.lower() for w in _WORD.findall(value) if len(w) >= 2)
    return words


@dataclass
class ColumnRedaction:
    """How one free-text column is redacted."""

    column: str
    also: Sequence[str] = ()
    name_columns: Sequence[str] = ()
    row_name_columns: Sequence[str] = ()
    """Name columns matched by the row's own values only (too many names for a vocabulary)."""
    entities: frozenset[str] | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    """The entity label for each ``also`` column's values (``<EMAIL_ADDRESS>``…)."""


class Redactor:
    """Redact free-text columns of Arrow batches; counts what it replaced, by type."""

    def __init__(self, columns: Sequence[ColumnRedaction], *, vocabulary: set[str] | None = None,
                 detector: PiiDetector | None = None) -> None:
        self.columns = list(columns)
        vocabulary = vocabulary or set()
        plain = sorted(w for w in vocabulary if w.isascii() and re.fullmatch(r"[a-z'\-]+", w))
        # ASCII names go into one multi-pattern pass (Hyperscan where installed); the rest are
        # looked up word by word
        self.vocabulary = vocabulary - set(plain)
        self._plain = plain
        self._names = self._compile(plain)
        self.detector = detector or PiiDetector()
        self.counts: dict[str, Counter[str]] = {c.column: Counter() for c in self.columns}

    @staticmethod
    def _compile(words: list[str]) -> MultiPattern | None:
        if not words:
            return None
        return MultiPattern([Pattern(r"\b(?:" + "|".join(re.escape(w) for w in words)
                                     + r")\b")])

    def __getstate__(self) -> dict[str, Any]:
        """Compiled engines stay behind when Spark ships the redactor to its workers."""
        state = dict(self.__dict__)
        state["_names"] = None
        state["detector"] = (self.detector.phone_regions, self.detector.ner)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        regions, ner = state.pop("detector")
        self.__dict__.update(state)
        self.detector = PiiDetector(phone_regions=regions, ner=ner)
        self._names = self._compile(self._plain)

    def redact_text(self, text: str, spans: Iterable[tuple[int, int, str]],
                    row_values: Sequence[tuple[str, str]], row_names: set[str],
                    counts: Counter[str], name_hits: Sequence[tuple[int, int, int]] = ()) -> str:
        pieces = list(spans)
        lowered = text.lower()
        for value, label in row_values:
            needle = value.strip().lower()
            if len(needle) < MIN_ALSO_LENGTH:
                continue
            start = lowered.find(needle)
            while start >= 0:
                pieces.append((start, start + len(needle), label))
                start = lowered.find(needle, start + len(needle))
        if name_hits:
            pieces.extend((start, end, "PERSON") for _, start, end in name_hits)
        if self.vocabulary or row_names:
            for match in _WORD.finditer(text):
                word = match.group().lower().rstrip("'’-")
                if word in self.vocabulary or word in row_names:
                    pieces.append((match.start(), match.start() + len(word), "PERSON"))
        if not pieces:
            return text
        pieces.sort(key=lambda p: (p[0], -p[1]))
        out: list[str] = []
        position = 0
        for start, end, label in pieces:
            if end <= position:
                continue
            start = max(start, position)
            out.append(text[position:start])
            out.append(f"<{label}>")
            counts[label] += 1
            position = end
        out.append(text[position:])
        return "".join(out)

    def redact_column(self, spec: ColumnRedaction, texts: list[str | None],
                      also: Mapping[str, list[Any]]) -> list[str | None]:
        counts = self.counts[spec.column]
        found = self.detector.detect_many(texts)
        cells = [t or "" for t in texts]
        names = self._names.scan_many(cells) if self._names is not None else [()] * len(cells)
        by_row = list(spec.row_name_columns)
        result: list[str | None] = []
        for i, text in enumerate(texts):
            if text is None or text == "":
                result.append(text)
                continue
            spans = [(s.start, s.end, s.entity_type) for s in found[i]
                     if spec.entities is None or s.entity_type in spec.entities]
            row_values = [(str(also[c][i]), spec.labels.get(c, "PII")) for c in spec.also
                          if c not in spec.name_columns and also[c][i] is not None]
            row_names = name_words(also[c][i] for c in by_row) if by_row else set()
            result.append(self.redact_text(text, spans, row_values, row_names, counts,
                                           names[i]))
        return result

    def __call__(self, batch: Any) -> Any:
        """One Arrow RecordBatch in, the same batch with its free text redacted out (the
        helper columns holding the ``also`` values dropped). Only non-empty cells reach
        Python; the rest of the batch stays in Arrow."""
        import pyarrow as pa
        import pyarrow.compute as pc

        names = batch.schema.names
        helper_index = {n[len(HELPER_PREFIX):]: names.index(n)
                        for n in names if n.startswith(HELPER_PREFIX)}
        arrays, fields = [], []
        wanted = {c.column: c for c in self.columns}
        for i, name in enumerate(names):
            if name.startswith(HELPER_PREFIX):
                continue
            column = batch.column(i)
            if name in wanted:
                text = column if pa.types.is_string(column.type) else pc.cast(column, pa.string())
                present = pc.indices_nonzero(pc.fill_null(pc.greater(pc.utf8_length(text), 0),
                                                          False))
                if len(present):
                    texts = text.take(present).to_pylist()
                    also = {h: batch.column(j).take(present).to_pylist()
                            for h, j in helper_index.items()}
                    redacted = pa.array(self.redact_column(wanted[name], texts, also),
                                        type=pa.string())
                    mask = pa.array(np_mask(len(text), present))
                    text = pc.replace_with_mask(text, mask, redacted)
                column = text
                fields.append(pa.field(name, pa.string()))
            else:
                fields.append(batch.schema.field(i))
            arrays.append(column)
        return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))

    def totals(self) -> dict[str, dict[str, int]]:
        return {column: dict(sorted(c.items())) for column, c in self.counts.items()}
