"""Sending mail over SMTP ([smtp] in config; the password only from $SPENDLOG_SMTP_PASSWORD)."""
from __future__ import annotations

import os
import smtplib
import socket
import ssl
from email.message import EmailMessage

from .config import Settings
from .errors import ConfigError, MailError

PASSWORD_VARIABLE = "SPENDLOG_SMTP_PASSWORD"


def tls_context() -> ssl.SSLContext:
    """The TLS context for STARTTLS and SSL: the system's trust store, or $SPENDLOG_SMTP_CAFILE when set."""
    return ssl.create_default_context(cafile=os.environ.get("SPENDLOG_SMTP_CAFILE") or None)


def recipients(settings: Settings, to: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """Who gets the mail (to, else [smtp] to), once [smtp] says where and how to send it; ConfigError otherwise."""
    smtp = settings.smtp
    addresses = tuple(to or smtp.to)
    if not smtp.host:
        raise ConfigError("smtp.host is not set: where should the mail go?")
    if not addresses:
        raise ConfigError("smtp.to is empty and no --to was given: who should get the mail?")
    if not smtp.sender:
        raise ConfigError("smtp.from is not set: the sender address")
    if smtp.user and not os.environ.get(PASSWORD_VARIABLE):
        raise ConfigError(f"smtp.user is set but ${PASSWORD_VARIABLE} is not")
    return addresses


def deliver(settings: Settings, message: EmailMessage, to: tuple[str, ...] | None = None) -> None:
    """Hand message to the configured server; MailError (one line, exit 69) when it cannot be reached, refuses the
    login or refuses the message. Returns once the server accepted it for every recipient."""
    smtp = settings.smtp
    to_addrs = list(recipients(settings, to))
    password = os.environ.get(PASSWORD_VARIABLE)
    where = f"{smtp.host}:{smtp.server_port}"
    try:
        if smtp.security == "ssl":
            client = smtplib.SMTP_SSL(smtp.host, smtp.server_port, timeout=smtp.timeout_s, context=tls_context())
        else:
            client = smtplib.SMTP(smtp.host, smtp.server_port, timeout=smtp.timeout_s)
        with client:
            if smtp.security == "starttls":
                client.starttls(context=tls_context())
            if smtp.user:
                client.login(smtp.user, password)
            refused = client.send_message(message, from_addr=smtp.sender, to_addrs=to_addrs)
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"{where} refused the login of {smtp.user}: {exc.smtp_code} {_text(exc.smtp_error)}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailError(f"{where} refused every recipient: {', '.join(exc.recipients)}") from None
    except smtplib.SMTPResponseException as exc:
        raise MailError(f"{where} refused the message: {exc.smtp_code} {_text(exc.smtp_error)}") from None
    except (smtplib.SMTPException, ssl.SSLError, socket.timeout, OSError) as exc:
        # smtplib reports a server that stays silent as "Connection unexpectedly closed: timed out"
        if isinstance(exc, socket.timeout) or str(exc).endswith("timed out"):
            raise MailError(f"{where} did not answer within {smtp.timeout_s:g} s (smtp.timeout_s)") from None
        raise MailError(f"cannot send mail through {where}: {exc or type(exc).__name__}") from None
    if refused:
        raise MailError(f"{where} refused {', '.join(sorted(refused))}")


def _text(value) -> str:
    return (value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)).splitlines()[0]
