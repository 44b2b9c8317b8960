from datetime import UTC, datetime, timedelta

import pytest

from steward.errors import Conflict, Forbidden, InvalidInput, Unauthenticated
from steward.services import audit_log, sessions, tokens, users
from steward.services.runtime import Actor, Runtime


def test_add_user_hashes_the_password_with_argon2_and_audits(runtime: Runtime,
                                                              operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        view = users.add_user(unit, username="Leo", roles="legal,privacy", password="s3cret-pass")
    assert view.username == "leo" and view.roles == ["legal", "privacy"]
    with runtime.unit(operator) as unit:
        from steward.storage.orm import User

        stored = unit.session.get(User, view.id)
        assert stored is not None and stored.password_hash.startswith("$argon2id$")
        entries = list(audit_log.export(unit))
    assert entries[-1]["action"] == "user.create" and entries[-1]["after"]["username"] == "leo"
    assert "s3cret" not in str(entries)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"username": "x y", "roles": "legal"}, "invalid username"),
        ({"username": "ok", "roles": "wizard"}, "unknown role 'wizard'"),
        ({"username": "ok", "roles": "legal", "password": "short"}, "at least 8"),
        ({"username": "ok", "roles": "legal", "external": True}, "only hold the auditor role"),
    ],
)
def test_bad_users_are_refused_with_one_line(runtime: Runtime, operator: Actor, kwargs: dict,
                                             message: str) -> None:
    with pytest.raises(InvalidInput, match=message), runtime.unit(operator) as unit:
        users.add_user(unit, **kwargs)


def test_duplicate_username_conflicts(runtime: Runtime, operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="ada", roles="admin")
    with pytest.raises(Conflict, match="already exists"), runtime.unit(operator) as unit:
        users.add_user(unit, username="ada", roles="legal")


def test_only_admins_add_users(runtime: Runtime) -> None:
    legal = Actor(name="leo", roles=frozenset({"legal"}), user_id=5)  # type: ignore[arg-type]
    with pytest.raises(Forbidden), runtime.unit(legal) as unit:
        users.add_user(unit, username="x1", roles="legal")


def test_tokens_authenticate_until_revoked(runtime: Runtime, operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="ian", roles="it")
        view, secret = tokens.create_token(unit, username="ian", name="ci")
    with runtime.unit(operator) as unit:
        actor = tokens.actor_from_token(unit, secret)
        assert actor.name == "ian" and actor.via == "api"
        assert [t.prefix for t in tokens.list_tokens(unit)] == [secret[:12]]
        tokens.revoke_token(unit, view.id)
    with pytest.raises(Unauthenticated, match="revoked"), runtime.unit(operator) as unit:
        tokens.actor_from_token(unit, secret)


def test_tokens_are_stored_hashed(runtime: Runtime, operator: Actor) -> None:
    from sqlalchemy import select

    from steward.storage.orm import ApiToken

    with runtime.unit(operator) as unit:
        users.add_user(unit, username="ian", roles="it")
        _, secret = tokens.create_token(unit, username="ian")
    with runtime.unit(operator) as unit:
        stored = unit.session.scalars(select(ApiToken.token_hash)).all()
    assert secret not in stored and len(stored[0]) == 64


def test_expired_external_auditor_cannot_act(runtime: Runtime, operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="aud", roles="auditor", external=True, password="pw-12345678",
                       expires_at=datetime.now(UTC) + timedelta(days=1))
        _, secret = tokens.create_token(unit, username="aud")
        from sqlalchemy import select

        from steward.storage.orm import User

        user = unit.session.scalar(select(User).where(User.username == "aud"))
        user.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    with pytest.raises(Unauthenticated), runtime.unit(operator) as unit:
        tokens.actor_from_token(unit, secret)
    with pytest.raises(Unauthenticated, match="expired"), runtime.unit(operator) as unit:
        sessions.log_in(unit, username="aud", password="pw-12345678")


def test_sessions_start_identify_and_end(runtime: Runtime, operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="maya", roles="marketing", password="pw-12345678")
    with runtime.unit(operator) as unit:
        login = sessions.log_in(unit, username="maya", password="pw-12345678")
    with runtime.unit(operator) as unit:
        who = sessions.identify(unit, login.session_secret)
        assert who.actor.name == "maya" and who.csrf_token == login.csrf_token
        sessions.log_out(unit, login.session_secret)
    with pytest.raises(Unauthenticated), runtime.unit(operator) as unit:
        sessions.identify(unit, login.session_secret)
    with pytest.raises(Unauthenticated, match="wrong password"), runtime.unit(operator) as unit:
        sessions.log_in(unit, username="maya", password="nope-nope-nope")


def test_a_deactivated_or_expired_account_may_not_act(runtime: Runtime, operator: Actor) -> None:
    from datetime import UTC, datetime, timedelta

    from steward.errors import Forbidden

    with runtime.unit(operator) as unit:
        users.add_user(unit, username="leo", roles="legal")
        users.add_user(unit, username="audrey", roles="auditor", external=True,
                       expires_at=datetime.now(UTC) + timedelta(days=1))
        assert users.actor_named(unit, "leo").name == "leo"
        users.set_active(unit, "leo", active=False)
        with pytest.raises(Forbidden, match="leo: this account is deactivated"):
            users.actor_named(unit, "leo")
        users.get_user(unit, "audrey")
    with runtime.unit(operator) as unit:
        from sqlalchemy import select

        from steward.storage.orm import User

        user = unit.session.scalar(select(User).where(User.username == "audrey"))
        user.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    with runtime.unit(operator) as unit, pytest.raises(Forbidden, match="expired"):
        users.actor_named(unit, "audrey")
