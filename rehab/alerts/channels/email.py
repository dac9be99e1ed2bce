"""Email to the clinic admins (escalations, a disabled webhook), through Django's email backend."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail

from rehab.alerts.channels.base import Channel, PermanentError, TransientError

logger = logging.getLogger(__name__)

SUBJECTS = {
    "alert.escalated": "Escalated: {code} for {patient} not acknowledged",
    "alert.created": "New alert: {code} for {patient}",
    "alert.resolved": "Resolved: {code} for {patient}",
}


def alert_email(payload: dict) -> tuple[str, str]:
    alert = payload["alert"]
    names = {"code": alert["code"], "patient": alert["patient"]["display_name"]}
    subject = SUBJECTS[payload["type"]].format(**names)
    body = (
        f"{alert['reason']}\n\nSeverity: {alert['severity']}\nRaised: {alert['created_at']}\n"
        f"Alert id: {alert['id']} (event {payload['id']})\n"
    )
    return subject, body


def email_send(*, to: list[str], subject: str, body: str) -> None:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentError(f"recipient refused: {exc}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientError(f"mail server: {exc}") from exc


class EmailChannel(Channel):
    kind = "email"

    def send(self, delivery) -> None:
        subject, body = alert_email(delivery.event.payload)
        email_send(to=[delivery.target], subject=subject, body=body)
