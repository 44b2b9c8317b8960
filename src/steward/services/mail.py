"""E-mail through the configured SMTP server, sent only after the change that caused it commits.

Nothing is sent unless ``STEWARD_SMTP_HOST`` is set; a failed send is logged by the unit of work
and never undoes the change.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from email.message import EmailMessage

from sqlalchemy import select

from steward.config import Settings
from steward.services.runtime import Unit
from steward.storage.orm import User


def email(settings: Settings, *, to: Iterable[str], subject: str, body: str) -> bool:
    """Send one e-mail through the configured SMTP server; False when SMTP is not configured."""
    recipients = sorted({r for r in to if r})
    if not settings.smtp_host or not recipients:
        return False
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        smtp.send_message(message)
    return True


def people_with_roles(unit: Unit, roles: Iterable[str]) -> list[str]:
    """E-mail addresses of active people holding any of ``roles``."""
    wanted = set(roles)
    people = unit.session.scalars(select(User).where(User.is_active.is_(True))).all()
    return [u.email for u in people if u.email and wanted & set(u.role_names)]


def email_after_commit(unit: Unit, *, roles: Iterable[str], subject: str, body: str,
                       also: Iterable[str] = ()) -> None:
    """Queue an e-mail to everyone holding ``roles`` (and the addresses in ``also``), sent once
    the change is committed."""
    if not unit.settings.smtp_host:
        return
    recipients = sorted({*people_with_roles(unit, roles), *(a for a in also if a)})
    settings = unit.settings

    def send() -> None:
        email(settings, to=recipients, subject=subject, body=body)

    unit.after_commit(send)
