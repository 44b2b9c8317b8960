"""Dashboard notifications, and e-mail through a real SMTP conversation after commit."""

import socketserver
import threading

import pytest

from steward.config import load_settings
from steward.services import escalation, gates, notifications, systems, training, users
from steward.services.runtime import Actor, Runtime

TEST_SECRET = "t" * 48


class _SMTPSink(socketserver.StreamRequestHandler):
    """Just enough of RFC 5321 to receive messages."""

    def handle(self) -> None:
        self.wfile.write(b"220 sink ESMTP\r\n")
        data: list[bytes] = []
        in_data = False
        while line := self.rfile.readline():
            if in_data:
                if line == b".\r\n":
                    in_data = False
                    self.server.messages.append(b"".join(data).decode())  # type: ignore[attr-defined]
                    data = []
                    self.wfile.write(b"250 queued\r\n")
                else:
                    data.append(line)
                continue
            verb = line[:4].upper()
            if verb == b"EHLO":
                self.wfile.write(b"250 sink\r\n")
            elif verb == b"DATA":
                in_data = True
                self.wfile.write(b"354 go on\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_sink():  # type: ignore[no-untyped-def]
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPSink)
    server.messages = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _mailing(runtime: Runtime, smtp_sink, tmp_path) -> Runtime:  # type: ignore[no-untyped-def]
    """A runtime on the same database that sends its e-mail to the sink."""
    host, port = smtp_sink.server_address
    return Runtime(load_settings(environment="test", database_url=runtime.settings.database_url,
                                 secret_key=TEST_SECRET, data_dir=tmp_path, smtp_host=host,
                                 smtp_port=port))


def _actor(runtime: Runtime, username: str) -> Actor:
    with runtime.unit(Actor.system()) as unit:
        return users.actor_named(unit, username)


def test_notifications_for_a_reviewer_and_an_owner(runtime: Runtime, operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="maya", roles="marketing", email="maya@x.example")
        users.add_user(unit, username="leo", roles="legal", email="leo@x.example")
        sid = systems.create_system(unit, {"name": "Bot", "purpose": "p", "owner": "maya",
                                           "ai_kinds": ["chatbot"]})["id"]
        training.add_module(unit, code="ai-literacy", title="AI literacy",
                            audience_roles="marketing")
    with runtime.unit(_actor(runtime, "maya")) as unit:
        gates.request_review(unit, sid, to="pilot")
        mine = {n.kind for n in notifications.for_actor(unit)}
    with runtime.unit(_actor(runtime, "leo")) as unit:
        theirs = [n.message for n in notifications.for_actor(unit)]
    assert "training" in mine and "review" not in mine
    assert theirs == ["Bot → pilot waits for your approval as legal"]


def test_emails_go_out_after_commit_only(runtime: Runtime, operator: Actor, smtp_sink,
                                         tmp_path) -> None:  # type: ignore[no-untyped-def]
    mailing = _mailing(runtime, smtp_sink, tmp_path)
    try:
        with mailing.unit(operator) as unit:
            users.add_user(unit, username="maya", roles="marketing", email="maya@x.example")
            users.add_user(unit, username="leo", roles="legal", email="leo@x.example")
            sid = systems.create_system(unit, {"name": "Bot", "purpose": "p", "owner": "maya",
                                               "ai_kinds": ["chatbot"]})["id"]
        with pytest.raises(RuntimeError), mailing.unit(_actor(mailing, "maya")) as unit:
            gates.request_review(unit, sid, to="pilot")
            raise RuntimeError("rolled back")
        assert smtp_sink.messages == []
        with mailing.unit(_actor(mailing, "maya")) as unit:
            gates.request_review(unit, sid, to="pilot", note="Please look")
        with mailing.unit(operator) as unit:
            escalation.report_incident(unit, title="Bot insulted a customer", severity="high",
                                       system_id=sid)
    finally:
        mailing.close()
    assert len(smtp_sink.messages) == 2
    review_mail, incident_mail = smtp_sink.messages
    assert "Subject: [Steward] Review: Bot -> pilot" in review_mail.replace("→", "->") or \
        "Review: Bot" in review_mail
    assert "leo@x.example" in review_mail and "maya@x.example" not in review_mail
    assert "Incident" in incident_mail and "leo@x.example" in incident_mail


def test_an_alert_is_mailed_and_shown_to_the_system_owner(runtime: Runtime, operator: Actor,
                                                          smtp_sink, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from steward.services import kpis, monitors

    mailing = _mailing(runtime, smtp_sink, tmp_path)
    try:
        with mailing.unit(operator) as unit:
            users.add_user(unit, username="maya", roles="marketing", email="maya@x.example")
            users.add_user(unit, username="dan", roles="data_science", email="dan@x.example")
            users.add_user(unit, username="leo", roles="legal", email="leo@x.example")
            sid = systems.create_system(unit, {"name": "Bot", "purpose": "p", "owner": "maya",
                                               "ai_kinds": ["chatbot"]})["id"]
            kpis.ingest(unit, [{"date": date.today().isoformat(), "system": sid,
                                "metric": "complaints", "value": 99}])
            monitors.add_kpi_monitor(unit, system_id=sid, name="complaints",
                                     metric="complaints")
            monitors.run_due(unit)
        with mailing.unit(_actor(mailing, "maya")) as unit:
            shown = [n for n in notifications.for_actor(unit) if n.kind == "alert"]
        with mailing.unit(_actor(mailing, "leo")) as unit:
            not_leo = [n for n in notifications.for_actor(unit) if n.kind == "alert"]
    finally:
        mailing.close()
    assert len(smtp_sink.messages) == 1
    message = smtp_sink.messages[0]
    assert "Warning alert" in message and "maya@x.example" in message
    assert "dan@x.example" in message and "leo@x.example" not in message
    assert len(shown) == 1 and shown[0].href == "/monitor#alerts" and not_leo == []
