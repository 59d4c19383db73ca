"""A session's attendance sheet and an attendee's certificate, as PDF.

The certificate's QR code holds the absolute address of its public verification page and nothing
else: whoever scans it reads there whether the training is valid, expired or revoked, with the
course, the session date and the name on the certificate, no more."""

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from apps.common.pdf import render_pdf

# Blank rows at the foot of the attendance sheet, for those who come without being registered.
SHEET_BLANK_ROWS = 5


def verification_url(code: str) -> str:
    """The absolute address of a certificate's verification page (what its QR code holds)."""
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("trainings:verify", args=[code])


def qr_data_uri(text: str) -> str:
    # Medium error correction: a certificate gets folded and carried in a pocket.
    return segno.make(text, error="m", micro=False).svg_data_uri(scale=4, border=2, dark="#000", light="#fff")


def certificate_pdf(attendance, *, request=None) -> bytes:
    session = attendance.session
    url = verification_url(attendance.certificate_code)
    context = {
        "attendance": attendance,
        "session": session,
        "course": session.course,
        "name": attendance.attendee_name,
        "trainer": session.trainer,
        "url": url,
        "qr": qr_data_uri(url),
        "issued": timezone.localdate(),
    }
    return render_pdf("trainings/certificate_pdf.html", context, request=request)


def attendance_sheet_pdf(session, attendances, *, request=None) -> bytes:
    """The sheet the attendees sign on the day: one row per registered attendee, a few blank rows,
    and the trainer's signature line."""
    context = {
        "session": session,
        "attendances": list(attendances),
        "blank_rows": range(SHEET_BLANK_ROWS),
        "printed": timezone.localtime(),
    }
    return render_pdf("trainings/attendance_sheet_pdf.html", context, request=request)
