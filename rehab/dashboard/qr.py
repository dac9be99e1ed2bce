import segno
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ACTIVATION_QR_LABEL = "QR code of the app link with the activation code"


def qr_svg(text: str, *, label: str, scale: int = 6) -> SafeString:
    """A QR code drawn here as inline SVG, named for screen readers: the clinic's network may have no way
    out, and what it encodes (an authenticator's secret, an activation code) never leaves the page."""
    svg = segno.make(text, error="m").svg_inline(scale=scale, border=4, title=label)
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))
