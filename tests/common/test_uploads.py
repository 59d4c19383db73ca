import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.common import uploads


def picture(name="photo.jpg", fmt="JPEG"):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (10, 120, 40)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue())


def package(name, part):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.mark.parametrize(
    "upload, kind",
    [
        (lambda: picture(), "picture"),
        (lambda: picture("scan.png", "PNG"), "picture"),
        (lambda: SimpleUploadedFile("order.pdf", b"%PDF-1.7\n..."), "pdf"),
        (lambda: package("plan.docx", "word/document.xml"), "docx"),
        (lambda: package("list.xlsx", "xl/workbook.xml"), "xlsx"),
        (lambda: SimpleUploadedFile("note.txt", "Сделано: ограждение\n".encode()), "text"),
        (lambda: SimpleUploadedFile("clip.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 20), "video"),
        (lambda: SimpleUploadedFile("IMG_1.heic", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 20), "heic"),
    ],
)
def test_each_kind_is_recognised_by_content(upload, kind):
    assert uploads.validate_upload(upload(), kinds=uploads.INCIDENT_FILES, max_bytes=10**7).code == kind


@pytest.mark.parametrize(
    "upload",
    [
        lambda: SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 an executable"),
        lambda: SimpleUploadedFile("order.pdf", b"<html>not a pdf</html>"),
        lambda: SimpleUploadedFile("plan.docx", b"PK\x03\x04 broken zip"),
        lambda: package("plan.docx", "xl/workbook.xml"),  # an Excel file named .docx
        lambda: SimpleUploadedFile("note.txt", b"\x00\x01\x02binary"),
        lambda: SimpleUploadedFile("note.exe", b"plain text"),
        lambda: picture("photo.pdf"),  # a picture named .pdf
    ],
)
def test_content_that_does_not_match_is_refused(upload):
    with pytest.raises(ValidationError) as error:
        uploads.validate_upload(upload(), kinds=uploads.INCIDENT_FILES, max_bytes=10**7, field="files")
    assert "this type of file is not accepted" in error.value.message_dict["files"][0]


def test_a_video_is_not_evidence_of_an_action():
    clip = SimpleUploadedFile("clip.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 20)
    with pytest.raises(ValidationError):
        uploads.validate_upload(clip, kinds=uploads.EVIDENCE, max_bytes=10**7)


def test_size_limit_is_inclusive():
    data = b"%PDF-" + b"x" * 95
    assert uploads.validate_upload(SimpleUploadedFile("a.pdf", data), kinds=[uploads.PDF], max_bytes=100)
    with pytest.raises(ValidationError) as error:
        uploads.validate_upload(SimpleUploadedFile("a.pdf", data + b"x"), kinds=[uploads.PDF], max_bytes=100)
    assert "larger than" in str(error.value)


def test_the_file_can_still_be_read_from_the_start():
    upload = picture()
    uploads.validate_upload(upload, kinds=uploads.PHOTOS, max_bytes=10**7)
    assert upload.read(2) == b"\xff\xd8"
