# SPDX-License-Identifier: EUPL-1.2
"""Outgoing e-mail: a small port (`Mailer`) and its SMTP adapter (`SmtpMailer`).

Only plain text is sent: nothing a resident typed can become markup in a
mail client. Header values are checked for line breaks by the stdlib
(`email.message.EmailMessage` refuses them), so a subject built from a
title cannot inject headers either; we strip them first to keep the mail.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

import structlog

from archief.errors import PortError
from archief.settings import MailSettings

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Mail:
    aan: str
    onderwerp: str
    tekst: str
    antwoord_aan: str | None = None


class Mailer(Protocol):
    def send(self, mail: Mail) -> None:
        """Hand one message to the relay; `PortError` when that fails."""


def _regel(value: str) -> str:
    return " ".join(value.split())


@dataclass(frozen=True, slots=True)
class SmtpMailer:
    settings: MailSettings

    def bericht(self, mail: Mail) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.settings.afzender
        msg["To"] = _regel(mail.aan)
        msg["Subject"] = _regel(mail.onderwerp)
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain=self.settings.afzender.rpartition("@")[2] or None)
        if mail.antwoord_aan:
            msg["Reply-To"] = _regel(mail.antwoord_aan)
        msg.set_content(mail.tekst, charset="utf-8")
        return msg

    def send(self, mail: Mail) -> None:
        cfg = self.settings
        assert cfg.host is not None  # `mailer()` only builds one with a host
        try:
            with smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_seconden) as smtp:
                if cfg.starttls:
                    smtp.starttls()
                if cfg.username and cfg.password is not None:
                    smtp.login(cfg.username, cfg.password.get_secret_value())
                smtp.send_message(self.bericht(mail))
        except (OSError, smtplib.SMTPException) as exc:
            raise PortError("smtp", f"{cfg.host}:{cfg.port}: {exc}") from exc


def mailer(settings: MailSettings) -> Mailer | None:
    """The configured mailer, or None when no SMTP host is set."""
    if not settings.host:
        return None
    return SmtpMailer(settings)
