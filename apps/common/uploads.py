"""One check for every uploaded file, by what it contains, not by what it is called.

A file's name says what it claims to be; its first bytes say what it is. Each kind the portal
accepts is recognised by its content (pictures are opened by Pillow, PDFs start with `%PDF-`,
Word and Excel files are ZIP packages with their own parts, text is UTF-8 without control
bytes, videos are ISO media files), and the name's extension must agree with it. Anything else
is refused with a message naming the file.
"""

import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    code: str
    extensions: tuple[str, ...]


PICTURE = FileKind("picture", (".jpg", ".jpeg", ".png", ".webp"))
HEIC = FileKind("heic", (".heic", ".heif"))
PDF = FileKind("pdf", (".pdf",))
WORD = FileKind("docx", (".docx",))
EXCEL = FileKind("xlsx", (".xlsx",))
TEXT = FileKind("text", (".txt",))
VIDEO = FileKind("video", (".mp4", ".mov"))

PHOTOS = (PICTURE,)
EVIDENCE = (PICTURE, HEIC, PDF, WORD, EXCEL, TEXT)
INCIDENT_FILES = (*EVIDENCE, VIDEO)

PICTURE_FORMATS = {"JPEG", "PNG", "WEBP"}
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1"}
VIDEO_BRANDS = {b"isom", b"iso2", b"mp41", b"mp42", b"avc1", b"qt  ", b"M4V ", b"3gp4", b"3gp5", b"dash"}


def accept_attribute(kinds) -> str:
    """The `accept` attribute of a file input for these kinds."""
    return ",".join(sorted({ext for kind in kinds for ext in kind.extensions}))


def _head(upload, size: int = 64) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _is_picture(upload) -> bool:
    from PIL import Image

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except Exception:  # noqa: BLE001 - Pillow raises many kinds of errors on a broken file
        return False
    finally:
        upload.seek(0)
    return image_format in PICTURE_FORMATS


def _iso_brand(upload) -> bytes | None:
    head = _head(upload, 12)
    if len(head) == 12 and head[4:8] == b"ftyp":
        return head[8:12]
    return None


def _zip_has(upload, prefix: str) -> bool:
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and any(name.startswith(prefix) for name in names)


def _is_text(upload) -> bool:
    upload.seek(0)
    data = upload.read(256 * 1024)
    upload.seek(0)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # The sample may end inside a character: accept a cut at the very end only.
        try:
            text = data[:-3].decode("utf-8") if len(data) == 256 * 1024 else None
        except UnicodeDecodeError:
            text = None
    if text is None:
        return False
    return not any(ord(ch) < 32 and ch not in "\t\n\r\f" for ch in text)


CHECKS = {
    PICTURE.code: _is_picture,
    HEIC.code: lambda upload: _iso_brand(upload) in HEIC_BRANDS,
    PDF.code: lambda upload: _head(upload, 5) == b"%PDF-",
    WORD.code: lambda upload: _zip_has(upload, "word/"),
    EXCEL.code: lambda upload: _zip_has(upload, "xl/"),
    TEXT.code: _is_text,
    VIDEO.code: lambda upload: _iso_brand(upload) in VIDEO_BRANDS,
}


def detect_kind(upload, kinds) -> FileKind | None:
    """The kind among `kinds` whose extension the name has and whose content the file has."""
    name = (upload.name or "").lower()
    for kind in kinds:
        if name.endswith(kind.extensions) and CHECKS[kind.code](upload):
            return kind
    return None


def validate_upload(upload, *, kinds, max_bytes: int, field: str = "files") -> FileKind:
    """Refuse a file that is too large, or whose content is not one of `kinds` (or does not match
    its name). Raises a ValidationError on `field`, naming the file."""
    name = upload.name or _("the file")
    if upload.size > max_bytes:
        raise ValidationError(
            {field: _("%(name)s is larger than %(size)s MB.") % {"name": name, "size": max_bytes // MEGABYTE}}
        )
    kind = detect_kind(upload, kinds)
    if kind is None:
        raise ValidationError(
            {
                field: _("%(name)s: this type of file is not accepted (accepted: %(types)s).")
                % {"name": name, "types": accept_attribute(kinds).replace(",", ", ")}
            }
        )
    return kind
