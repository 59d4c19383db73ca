import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.audits import services

ITEMS = [
    {"section": "Housekeeping", "text": "Walkways clear and dry", "weight": 1},
    {"section": "Guarding", "text": "Conveyor guards in place", "weight": 3},
    {"section": "PPE", "text": "Hearing protection worn in noise zones", "weight": 2},
]


def photo_upload(name="photo.jpg", fmt="JPEG", size=(8, 8)):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[fmt]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


@pytest.fixture
def this_month():
    return timezone.localdate().replace(day=1)


@pytest.fixture
def template(hse_head):
    return services.template_create(
        actor=hse_head, name="Workplace walk-through", code="walk-through", items=[dict(item) for item in ITEMS]
    )


@pytest.fixture
def plan_entry(org, hse_specialist, hse_head, template, this_month):
    return services.plan_entry_create(
        actor=hse_head, unit=org.crew, auditor=hse_specialist, month=this_month, template=template
    )


@pytest.fixture
def audit(plan_entry, hse_specialist):
    return services.audit_start(actor=hse_specialist, plan_entry=plan_entry)


def answer_all(audit, actor, results, comment="Found a problem"):
    """Answer the audit's items in order with the given results."""
    answers = list(audit.answers.select_related("item").order_by("item__order"))
    for answer, result in zip(answers, results, strict=True):
        services.audit_answer(
            actor=actor,
            audit=audit,
            item=answer.item,
            result=result,
            comment=comment if result == "non_compliant" else "",
        )
    return answers


def first_of(year, month):
    return date(year, month, 1)
