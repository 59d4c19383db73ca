import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.observations.models import ObservationCategory


@pytest.fixture
def categories(db):
    """The reference list (the data migration's rows do not survive transactional tests)."""
    rows = {}
    for code, name in [("ppe", "PPE"), ("lifting", "Lifting operations"), ("housekeeping", "Housekeeping")]:
        rows[code], _ = ObservationCategory.objects.get_or_create(
            code=code, defaults={"name_en": name, "name_ru": name}
        )
    return rows


def jpeg(name="photo.jpg", size=(40, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")
