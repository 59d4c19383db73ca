"""Pass cards: one card, or a sheet of cards for bulk printing, as PDF.

The QR code holds the pass number and nothing else: a phone that scans it reads a number; the
gate page (`/contractors/gate/?number=…`) answers only to the pass office and HSE. Name, photo
and company are printed for the guard's eyes, never encoded."""

import segno

from apps.common.pdf import render_pdf

# A sheet: A4 with two columns of cards of the ID-1 size (85.6 × 54 mm), five rows.
CARDS_PER_SHEET = 10
# At most this many cards in one PDF (a print run for a large contractor, in one request).
MAX_CARDS = 200


def qr_data_uri(number: str) -> str:
    """An SVG data URI of the QR code for a pass number (medium error correction: a card gets
    scratched)."""
    return segno.make(number, error="m", micro=False).svg_data_uri(scale=4, border=2, dark="#000", light="#fff")


def card(access_pass) -> dict:
    holder = access_pass.holder
    return {
        "number": access_pass.number,
        "holder": holder.full_name,
        "job_title": holder.job_title,
        "company": access_pass.company.name,
        "zones": [zone.name for zone in access_pass.zones.all()],
        "valid_from": access_pass.valid_from,
        "valid_until": access_pass.valid_until,
        "photo_url": holder.photo.url if holder.photo else "",
        "qr": qr_data_uri(access_pass.number),
    }


def cards_pdf(passes, *, request=None) -> bytes:
    """One PDF with a card per pass, `CARDS_PER_SHEET` to a page."""
    cards = [card(access_pass) for access_pass in passes[:MAX_CARDS]]
    sheets = [cards[i : i + CARDS_PER_SHEET] for i in range(0, len(cards), CARDS_PER_SHEET)]
    return render_pdf("contractors/pass_cards_pdf.html", {"sheets": sheets}, request=request)
