"""Building MIME messages with the standard library's `email` package and handing them to an SMTP server."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from mail.render import header_safe


@dataclass(frozen=True)
class SmtpSettings:
    server: str | None
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    sender: str
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config: Any) -> SmtpSettings:
        return cls(
            server=config.get("MAIL_SERVER"),
            port=int(config.get("MAIL_PORT", 25)),
            username=config.get("MAIL_USERNAME"),
            password=config.get("MAIL_PASSWORD"),
            use_tls=bool(config.get("MAIL_USE_TLS")),
            sender=config["MAIL_FROM"],
        )


def build_message(
    settings: SmtpSettings,
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None,
    message_id: str,
    extra_headers: dict[str, str] | None = None,
) -> EmailMessage:
    """A multipart/alternative message (text first, HTML second) with header values that cannot inject."""
    msg = EmailMessage()
    msg["From"] = header_safe(settings.sender)
    msg["To"] = header_safe(to, 254)
    msg["Subject"] = header_safe(subject)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = header_safe(message_id)
    for name, value in (extra_headers or {}).items():
        msg[name] = header_safe(value, 2000)
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    return msg


def send_message(settings: SmtpSettings, message: EmailMessage) -> None:
    """Hand one message to the SMTP server; raises when it is refused or unreachable."""
    if not settings.server:
        raise RuntimeError("no MAIL_SERVER configured")
    with smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout) as smtp:
        if settings.use_tls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        smtp.send_message(message)


class SmtpConnection:
    """One SMTP connection reused for many messages (a digest run), reopened after any failure.

    Opening a connection per message costs a TCP and SMTP handshake (and TLS, when configured) each time; a run of
    thousands of messages keeps one open. Use as a context manager so the connection is closed at the end.
    """

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpConnection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _open(self) -> smtplib.SMTP:
        if not self.settings.server:
            raise RuntimeError("no MAIL_SERVER configured")
        smtp = smtplib.SMTP(self.settings.server, self.settings.port, timeout=self.settings.timeout)
        try:
            if self.settings.use_tls:
                smtp.starttls()
            if self.settings.username:
                smtp.login(self.settings.username, self.settings.password or "")
        except Exception:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Hand one message over; raises when it is refused or the server is unreachable (the connection is then
        dropped, so the next message starts afresh)."""
        if self._smtp is None:
            self._smtp = self._open()
        try:
            self._smtp.send_message(message)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except Exception:  # already gone; closing is best effort
                self._smtp.close()
            self._smtp = None
