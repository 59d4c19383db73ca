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


def test_a_hashed_static_address_is_found_among_the_collected_files(settings, tmp_path):
    """Production's manifest storage names files by content hash; the PDF still gets the logo."""
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "favicon.0123abcd.svg").write_text("<svg/>")
    assert local_path_for("file:///static/img/favicon.0123abcd.svg").read_text() == "<svg/>"
    with pytest.raises(ExternalResourceRefused):
        local_path_for("file:///static/../../etc/passwd")
