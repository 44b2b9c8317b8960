"""The tamper-evident audit chain, as pure functions.

Each entry carries the hash of the one before it; its own ``hash`` is SHA-256 over the canonical
JSON of its fields (sorted keys, no insignificant whitespace, UTF-8), written as 64 lowercase hex
characters. Changing any stored field, deleting an entry or inserting one breaks the chain at that
point, which :func:`first_break` finds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "seq",
    "at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "prev_hash",
)


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and compact separators: the same value always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(fields: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of an entry's hashed fields."""
    payload = {name: fields[name] for name in HASHED_FIELDS}
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"entry {self.seq}: {self.reason}"


def first_break(entries: Iterable[Mapping[str, Any]], *, start_prev: str = GENESIS_HASH,
                start_seq: int = 1) -> ChainBreak | None:
    """Walk entries in order; return the first one that does not chain, or None if all do."""
    expected_prev = start_prev
    expected_seq = start_seq
    for entry in entries:
        seq = int(entry["seq"])
        if seq != expected_seq:
            return ChainBreak(seq, f"sequence gap: expected entry {expected_seq}")
        if entry["prev_hash"] != expected_prev:
            return ChainBreak(seq, "prev_hash does not match the hash of the entry before it")
        recomputed = entry_hash(entry)
        if recomputed != entry["hash"]:
            return ChainBreak(seq, "content altered: stored hash does not match its fields")
        expected_prev = entry["hash"]
        expected_seq = seq + 1
    return None
