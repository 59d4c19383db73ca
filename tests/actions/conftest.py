import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from apps.accounts.roles import Role
from tests.factories import ActionFactory, UserFactory


def in_days(days: int):
    """A date relative to the real today (pages and the API check due dates against it)."""
    return timezone.localdate() + timedelta(days=days)


def jpeg(name="guard.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def pdf(name="work-order.pdf") -> SimpleUploadedFile:
    content = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def renamed_executable(name="guard.jpg") -> SimpleUploadedFile:
    """A Windows executable (MZ header) named like a photo."""
    return SimpleUploadedFile(name, b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120, content_type="image/jpeg")


@pytest.fixture
def owner(org, line_manager):
    """A foreman-level owner of actions in the main unit, reporting to the line manager."""
    return UserFactory(username="owner", role=Role.LINE_MANAGER, units=[org.crew], line_manager=line_manager)


@pytest.fixture
def action(org, owner, hse_specialist):
    return ActionFactory(unit=org.crew, owner=owner, created_by=hse_specialist)
