"""Migrations form one line: a single head, every revision reachable from the base."""

from alembic.script import ScriptDirectory

from steward.storage.migrate import _config


def test_one_head_and_a_linear_history() -> None:
    script = ScriptDirectory.from_config(_config())
    assert len(script.get_heads()) == 1, f"several migration heads: {script.get_heads()}"
    revisions = list(script.walk_revisions())
    assert all(len(r._all_down_revisions) <= 1 for r in revisions)
    assert revisions[-1].down_revision is None
