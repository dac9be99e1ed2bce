"""An activation code's printable page, for a new patient's form and for a new code from the patient's page."""

from django.conf import settings

from rehab.dashboard.actions.once import shown_once_read
from rehab.dashboard.qr import ACTIVATION_QR_LABEL, qr_svg


def activation_sheet(*, token, patient) -> dict:
    """What an activation code's printable page shows: the code kept for the form that issued it (while the
    cache keeps it), the app link ACTIVATION_LINK_TEMPLATE makes of it, and that link's QR code."""
    code = shown_once_read(token, forget=False)
    link = settings.ACTIVATION_LINK_TEMPLATE.replace("{code}", code) if code else None
    return {
        "nav": "patients",
        "patient": patient,
        "code": code,
        "link": link,
        "qr": qr_svg(link, label=ACTIVATION_QR_LABEL) if link else "",
        "code_days": settings.ACTIVATION_CODE_DAYS,
    }
