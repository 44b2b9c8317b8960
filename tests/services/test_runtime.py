"""The runtime's per-process cache: built once, read without building, forgotten by key."""

from steward.services.runtime import Runtime


def test_cached_builds_once_and_peek_builds_nothing(runtime: Runtime) -> None:
    built: list[int] = []
    assert runtime.peek("thing") is None
    assert runtime.cached("thing", lambda: built.append(1) or "value") == "value"
    assert runtime.cached("thing", lambda: built.append(1) or "other") == "value"
    assert runtime.peek("thing") == "value"
    assert built == [1]


def test_forget_drops_one_key_or_every_key_with_a_prefix(runtime: Runtime) -> None:
    for key in ("purposes:12", "purposes:123", "subject_key"):
        runtime.cached(key, lambda key=key: key)
    runtime.forget("purposes:12")  # exactly that key, not purposes:123
    assert runtime.peek("purposes:12") is None
    assert runtime.peek("purposes:123") == "purposes:123"
    runtime.forget("purposes:", prefix=True)
    assert runtime.peek("purposes:123") is None
    assert runtime.peek("subject_key") == "subject_key"
