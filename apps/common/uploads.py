"""One check for every uploaded file, by what it contains, not by what it is called.

A file's name says what it claims to be; its first bytes say what it is. Each kind the portal
accepts is recognised by its content (pictures are opened by Pillow, PDFs start with `%PDF-`,
Word and Excel files are ZIP packages with their own parts, text is UTF-8 without control
bytes, videos are ISO media files), and the name's extension must agree with it. Anything else
is refused with a message naming the file.
"""

import os
import uuid
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


# --- Stored names and serving (issue 14) ---------------------------------------------------------
# A file is stored under a random name whose extension comes from what its content was found to
# be (never the client's name); it is served with the content type found in its stored bytes, as
# an attachment, with `nosniff`. Only raster pictures (JPEG, PNG, WebP) may be shown inline, and
# only where a view asks for it (photos shown in an <img>); SVG and HTML are never accepted, so
# they are never served at all, let alone inline.

PICTURE_TYPES = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"), "WEBP": ("image/webp", ".webp")}
INLINE_TYPES = {content_type for content_type, _extension in PICTURE_TYPES.values()}
STORED_EXTENSIONS = {".jpg", ".png", ".webp", ".heic", ".pdf", ".docx", ".xlsx", ".txt", ".mp4", ".mov"}
OCTET_STREAM = "application/octet-stream"


def _picture_format(upload) -> str | None:
    from PIL import Image

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            return image.format
    except Exception:  # noqa: BLE001 - Pillow raises many kinds of errors on a broken file
        return None
    finally:
        upload.seek(0)


def detect_type(upload) -> tuple[str, str]:
    """(content type, extension) of a file by its content alone; application/octet-stream and no
    extension for anything that is none of the accepted kinds."""
    picture = _picture_format(upload)
    if picture in PICTURE_TYPES:
        return PICTURE_TYPES[picture]
    if _head(upload, 5) == b"%PDF-":
        return "application/pdf", ".pdf"
    brand = _iso_brand(upload)
    if brand in HEIC_BRANDS:
        return "image/heic", ".heic"
    if brand in VIDEO_BRANDS:
        return ("video/quicktime", ".mov") if brand == b"qt  " else ("video/mp4", ".mp4")
    if _zip_has(upload, "word/"):
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"
    if _zip_has(upload, "xl/"):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
    if _is_text(upload):
        return "text/plain; charset=utf-8", ".txt"
    return OCTET_STREAM, ""


def client_name(upload) -> str:
    """The name the file had on the user's device (for display only, never used on disk)."""
    return (getattr(upload, "client_name", None) or upload.name or "")[:255]


def checked_upload(upload, *, kinds, max_bytes: int, field: str = "files"):
    """`validate_upload`, then the file is renamed for storage: `upload.<extension found in its
    content>`; the user's name stays in `upload.client_name` (see `client_name`)."""
    validate_upload(upload, kinds=kinds, max_bytes=max_bytes, field=field)
    if not hasattr(upload, "client_name"):
        upload.client_name = upload.name
        upload.name = f"upload{detect_type(upload)[1]}"
    return upload


def random_name(prefix: str, filename: str) -> str:
    """The stored path of an upload: `prefix/<random>.<ext>`, the extension kept only when it is
    one the portal stores (the checked upload's name carries the one found in its content)."""
    extension = os.path.splitext(filename or "")[1].lower()
    if extension == ".jpeg":
        extension = ".jpg"
    if extension not in STORED_EXTENSIONS:
        extension = ""
    return f"{prefix.strip('/')}/{uuid.uuid4().hex}{extension}"


def file_response(field_file, *, filename: str = "", inline_pictures: bool = False):
    """Serve a stored upload: the content type found in its bytes (never HTML or SVG), as an
    attachment named `filename` (RFC 5987 for non-ASCII names), with `nosniff`. With
    `inline_pictures`, a JPEG, PNG or WebP picture is shown inline (for an <img>); nothing else is."""
    from django.http import FileResponse
    from django.utils.http import content_disposition_header

    handle = field_file.open("rb")
    content_type, extension = detect_type(handle)
    inline = inline_pictures and content_type in INLINE_TYPES
    name = filename or f"file{extension}"
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
