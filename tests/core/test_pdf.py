import pytest

from apps.common.pdf import ExternalResourceRefused, local_path_for, render_pdf


def test_pdf_resources_come_from_the_portal_only():
    assert local_path_for("file:///static/img/favicon.svg").read_bytes().startswith(b"<svg")
    for url in ("https://cdn.example.com/x.css", "http://127.0.0.1/static/x", "file:///etc/passwd", "/media/../x"):
        with pytest.raises(ExternalResourceRefused):
            local_path_for(url)


def test_render_pdf_makes_a_pdf_with_the_portal_logo():
    pdf = render_pdf("pdf/base.html", {})
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 1000
