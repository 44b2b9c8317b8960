import pytest

from steward.core.roles import ADMIN_ONLY, ANY_READER, PUBLIC, Role, parse_roles, write_access


def test_parse_roles_accepts_lists_and_commas() -> None:
    assert parse_roles("legal, privacy,legal") == [Role.LEGAL, Role.PRIVACY]
    assert parse_roles(["Committee"]) == [Role.COMMITTEE]


def test_parse_roles_names_the_unknown_role() -> None:
    with pytest.raises(ValueError, match="unknown role 'wizard'"):
        parse_roles("legal,wizard")
    with pytest.raises(ValueError, match="at least one role"):
        parse_roles("")


def test_admin_may_do_everything_and_auditor_never_writes() -> None:
    legal_writes = write_access(Role.LEGAL, Role.AUDITOR)
    assert legal_writes.allows({Role.ADMIN})
    assert legal_writes.allows({Role.LEGAL})
    assert not legal_writes.allows({Role.AUDITOR})
    assert ANY_READER.allows({Role.AUDITOR})
    assert not ADMIN_ONLY.allows({Role.COMMITTEE})
    assert PUBLIC.allows(set())
    assert not ANY_READER.allows(set())
