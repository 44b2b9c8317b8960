from steward.core.audit_chain import GENESIS_HASH, canonical_json, entry_hash, first_break


def _chain(n: int) -> list[dict]:
    entries, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        fields = {
            "seq": seq,
            "at": f"2026-01-01T00:00:0{seq}.000000Z",
            "actor": "ada",
            "action": "thing.create",
            "object_type": "thing",
            "object_id": str(seq),
            "before": None,
            "after": {"n": seq, "name": "ünï"},
            "prev_hash": prev,
        }
        fields["hash"] = entry_hash(fields)
        prev = fields["hash"]
        entries.append(fields)
    return entries


def test_canonical_json_is_stable_and_compact() -> None:
    assert canonical_json({"b": 1, "a": [1, {"d": 2, "c": 3}]}) == '{"a":[1,{"c":3,"d":2}],"b":1}'


def test_hash_is_64_lowercase_hex() -> None:
    digest = _chain(1)[0]["hash"]
    assert len(digest) == 64 and digest == digest.lower()
    int(digest, 16)


def test_an_intact_chain_verifies() -> None:
    assert first_break(_chain(5)) is None


def test_an_altered_field_is_found() -> None:
    entries = _chain(5)
    entries[2]["after"] = {"n": 99, "name": "ünï"}
    broken = first_break(entries)
    assert broken is not None and broken.seq == 3 and "altered" in broken.reason


def test_a_deleted_entry_is_found() -> None:
    entries = _chain(5)
    del entries[1]
    broken = first_break(entries)
    assert broken is not None and broken.seq == 3 and "gap" in broken.reason


def test_a_rehashed_entry_breaks_the_next_link() -> None:
    entries = _chain(4)
    entries[1]["actor"] = "mallory"
    entries[1]["hash"] = entry_hash(entries[1])
    broken = first_break(entries)
    assert broken is not None and broken.seq == 3 and "prev_hash" in broken.reason
