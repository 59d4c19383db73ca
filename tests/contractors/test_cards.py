"""Pass cards: the QR code holds the pass number and nothing else; a sheet holds ten cards."""

from datetime import date

import pytest

from apps.contractors import cards
from apps.contractors.models import AccessPass, ContractorCompany, ContractorWorker

pytestmark = pytest.mark.django_db


def _passes(org, issuer, count):
    company = ContractorCompany.objects.create(name="Stroymontazh LLC", tax_number="7701234567")
    for i in range(count):
        worker = ContractorWorker.objects.create(company=company, full_name=f"Ivanov Ivan {i}", job_title="Welder")
        access_pass = AccessPass.objects.create(
            number=f"P-{i + 1:06d}", holder=worker, company=company, valid_from=date(2026, 12, 1),
            valid_until=date(2027, 3, 1), issued_by=issuer,
        )  # fmt: skip
        access_pass.zones.set([org.crew])
    return AccessPass.objects.select_related("holder", "company").prefetch_related("zones").order_by("number")


def test_the_qr_code_encodes_only_the_pass_number(org, hse_head, monkeypatch):
    encoded = []
    real_make = cards.segno.make
    monkeypatch.setattr(cards.segno, "make", lambda content, **kw: encoded.append(content) or real_make(content, **kw))
    card = cards.card(_passes(org, hse_head, 1)[0])
    assert encoded == ["P-000001"]
    assert card["qr"].startswith("data:image/svg+xml")
    assert card["holder"] == "Ivanov Ivan 0"  # printed for the guard's eyes, not encoded


def test_a_sheet_holds_ten_cards(org, hse_head, monkeypatch):
    sheets = []
    monkeypatch.setattr(cards, "render_pdf", lambda template, context, request=None: sheets.append(context) or b"%PDF")
    assert cards.cards_pdf(_passes(org, hse_head, 11)) == b"%PDF"
    assert [len(sheet) for sheet in sheets[0]["sheets"]] == [10, 1]


def test_the_cards_pdf_renders(org, hse_head):
    pdf = cards.cards_pdf(_passes(org, hse_head, 2))
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 2000
