"""The security headers on every kind of page the portal serves: HTML pages, forms, htmx fragments,
JSON, PDF, CSV, file downloads, the anonymous pages (sign-in, certificate check, QR form), errors
and /healthz. Every HTML page carries the Content-Security-Policy's nonce on each of its scripts,
and no template has an inline event handler (a nonce does not cover them)."""

import importlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from apps.actions.models import ActionEvidence
from apps.internships.feedback import unit_feedback_token
from apps.trainings.models import Attendance, TrainingSession
from tests.factories import ActionFactory
from tests.factories.trainings import CourseFactory, TrainerFactory

pytestmark = pytest.mark.django_db


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []
        self.handlers: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs)
        self.handlers += [(tag, name) for name in attrs if name.startswith("on")]


def _parse(html: str) -> _Tags:
    tags = _Tags()
    tags.feed(html)
    return tags


def _nonce(response) -> str | None:
    match = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    return match.group(1) if match else None


def assert_common_headers(response, referrer="same-origin"):
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"].startswith("'self'")
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in directives["script-src"]
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert directives["img-src"] == "'self' data:"
    assert directives["font-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["base-uri"] == "'self'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == referrer


def assert_html_page(response):
    """A full page: the CSP has a nonce, every <script> carries it, no inline handler."""
    assert_common_headers(response)
    nonce = _nonce(response)
    assert nonce, "an HTML page's policy carries the request's nonce"
    tags = _parse(response.content.decode())
    assert tags.scripts, "the page has scripts (bootstrap, htmx)"
    assert [script.get("nonce") for script in tags.scripts] == [nonce] * len(tags.scripts)
    assert tags.handlers == []


def assert_no_store(response):
    assert "no-store" in response["Cache-Control"]


@pytest.fixture
def world(org, hse_specialist, line_manager):
    done = ActionFactory(unit=org.crew, owner=line_manager, created_by=hse_specialist, status="done")
    evidence = ActionEvidence.objects.create(
        action=done,
        file=SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff"),
        original_name="photo.jpg",
        uploaded_by=line_manager,
    )
    course = CourseFactory()
    TrainerFactory(user=hse_specialist, course=course)
    session = TrainingSession.objects.create(
        course=course, trainer=hse_specialist, unit=org.crew, date="2026-10-01", hours=4, place="Room 12",
        status="delivered", created_by=hse_specialist,
    )  # fmt: skip
    attendance = Attendance.objects.create(
        session=session, person=org.crew.people.first(), presence="present", passed=True,
        valid_until="2027-10-01", certificate_code="HEADERS-CERT-1",
    )  # fmt: skip
    return {"evidence": evidence, "session": session, "attendance": attendance}


# --- Pages of a signed-in user: all carry personal data, so none may be stored ----------------------


def test_a_signed_in_html_page(client_as, hse_specialist):
    response = client_as(hse_specialist).get(reverse("core:home"))
    assert response.status_code == 200
    assert_html_page(response)
    assert_no_store(response)


def test_a_form_page(client_as, hse_specialist):
    response = client_as(hse_specialist).get(reverse("observations:create"))
    assert response.status_code == 200
    assert_html_page(response)
    assert_no_store(response)


def test_a_page_with_its_own_script_gives_it_the_nonce(client_as, hse_specialist, world):
    response = client_as(hse_specialist).get(reverse("trainings:session_detail", args=[world["session"].pk]))
    assert response.status_code == 200
    assert_html_page(response)
    assert any("src" not in script for script in _parse(response.content.decode()).scripts)


def test_an_htmx_fragment(client_as, hse_specialist, org):
    response = client_as(hse_specialist).get(
        reverse("internships:create"), {"unit": org.crew.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert_common_headers(response)
    assert _parse(response.content.decode()).handlers == []
    assert_no_store(response)


def test_a_json_api_response(client_as, hse_specialist):
    response = client_as(hse_specialist).get("/api/v1/actions/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert_common_headers(response)
    assert_no_store(response)


def test_a_json_api_response_to_a_token(client, hse_specialist):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=hse_specialist)
    response = client.get("/api/v1/actions/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert_no_store(response)


def test_a_pdf_download(client_as, hse_specialist, world):
    response = client_as(hse_specialist).get(reverse("trainings:attendance_sheet", args=[world["session"].pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert_common_headers(response)
    assert_no_store(response)


def test_a_csv_export(client_as, hse_specialist, world):
    response = client_as(hse_specialist).get(reverse("trainings:matrix_csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert_common_headers(response)
    assert_no_store(response)


def test_a_file_download(client_as, line_manager, world):
    response = client_as(line_manager).get(reverse("actions:evidence_download", args=[world["evidence"].pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert_common_headers(response)
    assert_no_store(response)


def test_the_api_documentation(client_as, hse_specialist):
    web = client_as(hse_specialist)
    page = web.get(reverse("api-docs"))
    assert page.status_code == 200
    assert_common_headers(page)
    scripts = _parse(page.content.decode()).scripts
    assert scripts and all(script.get("src") for script in scripts), "Swagger UI starts from a script file"
    start = web.get(reverse("api-docs"), {"script": ""})
    assert start.status_code == 200 and start["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in start.content.decode()


def test_a_not_found_page_signed_in(client_as, hse_specialist):
    response = client_as(hse_specialist).get("/no-such-page/")
    assert response.status_code == 404
    assert_html_page(response)
    assert_no_store(response)


# --- Anonymous pages ---------------------------------------------------------------------------------


def test_the_login_page(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert_html_page(response)
    assert_no_store(response)  # never_cache: the sign-in form has a CSRF token


def test_a_not_found_page_anonymous(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_html_page(response)


def test_the_public_certificate_check(client, world):
    response = client.get(reverse("trainings:verify", args=["HEADERS-CERT-1"]))
    assert response.status_code == 200
    assert_common_headers(response, referrer="no-referrer")  # the page's own, stricter
    assert _parse(response.content.decode()).handlers == []
    assert_no_store(response)  # its own never_cache, kept as it is


def test_the_anonymous_qr_form_sets_only_the_csrf_cookie(client, org):
    response = client.get(reverse("internships:feedback_form", args=[unit_feedback_token(org.crew)]))
    assert response.status_code == 200
    assert_common_headers(response)
    tags = _parse(response.content.decode())
    assert tags.handlers == []
    nonce = _nonce(response)
    assert all(script.get("nonce") == nonce for script in tags.scripts)
    assert set(response.cookies) <= {settings.CSRF_COOKIE_NAME}
    assert_no_store(response)


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert_common_headers(response)
    assert_no_store(response)


# --- Production: HSTS and secure cookies --------------------------------------------------------------


@pytest.fixture
def production(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    module = importlib.import_module("hse_portal.settings.production")
    return importlib.reload(module)


def test_production_settings(production):
    assert production.SECURE_HSTS_SECONDS >= 365 * 24 * 3600
    assert production.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    assert production.SESSION_COOKIE_SECURE is True and production.CSRF_COOKIE_SECURE is True
    assert production.SESSION_COOKIE_HTTPONLY is True
    assert production.X_FRAME_OPTIONS == "DENY"
    assert (
        production.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]
        == settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]
    )


def test_a_secure_request_in_production_gets_hsts_and_secure_cookies(production, client, hse_specialist):
    names = ["SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
             "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY"]  # fmt: skip
    with override_settings(**{name: getattr(production, name) for name in names}):
        page = client.get(reverse("accounts:login"), secure=True)
        assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert page.cookies[settings.CSRF_COOKIE_NAME]["secure"]
        hse_specialist.set_password("a long passphrase for the test")
        hse_specialist.save()
        signed_in = client.post(
            reverse("accounts:login"),
            {"username": hse_specialist.username, "password": "a long passphrase for the test"},
            secure=True,
        )
        assert signed_in.status_code == 302
        session = signed_in.cookies[settings.SESSION_COOKIE_NAME]
        assert session["secure"] and session["httponly"]


# --- Every template ----------------------------------------------------------------------------------

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates", *sorted((Path(settings.BASE_DIR) / "apps").glob("*/templates"))]
TEMPLATES = sorted(path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html"))
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
SCRIPT = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
PDF_TEMPLATES = re.compile(r"(_pdf|pdf/)")


def test_the_templates_were_found():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(settings.BASE_DIR)))
def test_no_template_has_an_inline_handler_or_a_script_without_the_nonce(path):
    text = path.read_text()
    assert not HANDLER.search(text), "inline event handlers do not run under the CSP: use a static script"
    for tag in SCRIPT.findall(text):
        assert 'nonce="{{ request.csp_nonce }}"' in tag, tag


PYTHON_SOURCES = sorted((Path(settings.BASE_DIR) / "apps").rglob("*.py"))
HANDLER_ATTR = re.compile(r"""["']on[a-z]+["']\s*:""")


def test_no_widget_is_given_an_inline_handler():
    """Widget attributes set in Python (`attrs={"onchange": ...}`) end in the HTML just the same."""
    found = [str(path) for path in PYTHON_SOURCES if HANDLER_ATTR.search(path.read_text())]
    assert found == []
