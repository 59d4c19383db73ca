"""PDF reports with WeasyPrint, in the portal's look.

Everything a report shows comes from this server: /static/ from the app's static files,
/media/ from MEDIA_ROOT; any other address is refused, so a PDF never reaches the internet."""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify


class ExternalResourceRefused(ValueError):
    pass


def _static_file(name: str) -> Path | None:
    """A static file by its address: with manifest storage (production) the address carries the
    content hash (`img/favicon.1a2b3c.svg`), which only the collected files in STATIC_ROOT have."""
    try:
        found = finders.find(name)
    except SuspiciousFileOperation:
        return None
    if found:
        return Path(found)
    root = Path(settings.STATIC_ROOT).resolve()
    candidate = (root / name).resolve()
    if candidate.is_file() and root in candidate.parents:
        return candidate
    return None


def local_path_for(url: str) -> Path:
    """The file on this server behind a /static/ or /media/ address; anything else is refused."""
    parsed = urlparse(url)
    path = unquote(parsed.path)
    static_prefix = "/" + settings.STATIC_URL.lstrip("/")
    media_prefix = "/" + settings.MEDIA_URL.lstrip("/")
    if parsed.scheme in ("", "file") and not parsed.netloc:
        if path.startswith(static_prefix):
            found = _static_file(path[len(static_prefix) :])
            if found:
                return found
        if path.startswith(media_prefix):
            media_root = Path(settings.MEDIA_ROOT).resolve()
            candidate = (media_root / path[len(media_prefix) :]).resolve()
            if candidate.is_file() and media_root in candidate.parents:
                return candidate
    raise ExternalResourceRefused(f"PDF resource not served by the portal: {url}")


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PortalURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = local_path_for(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    return PortalURLFetcher()


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, base_url="file:///", url_fetcher=_fetcher()).write_pdf()


def pdf_response(pdf: bytes, *, filename: str, inline: bool = True) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{slugify(filename) or "report"}.pdf"'
    return response
