"""Shop-floor users see no developer-facing text: no "---------" placeholders in selects, no
phone-only wording on a desktop, no API links outside the user's own page (system admins keep
a docs link), no raw audit codes (tests/audit/test_labels.py)."""

import re

import pytest
from django.urls import reverse

from tests import test_permission_walk
from tests.test_permission_walk import EXPECTATIONS, walk_user
from tests.walk import SIGNED_IN

# The permission walk's world (every record its pages need), built once for this module.
walk_world, walk = test_permission_walk.walk_world, test_permission_walk.walk

DEVELOPER_TEXT = ["---------", "Tap to log"]


def _pages(ctx, role):
    """The HTML pages of the walk that `role` may open (the pages with their forms)."""
    for name, cases in sorted(EXPECTATIONS.items()):
        if name.startswith(("api", "admin")):
            continue
        for case in cases:
            if case.method == "get" and case.expect.get(role) == 200:
                yield name, case.url(ctx)


@pytest.mark.parametrize("role", SIGNED_IN)
def test_no_page_shows_developer_text(walk, client, role):
    client.force_login(walk_user(walk, role))
    found, seen = [], 0
    for name, url in _pages(walk, role):
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        seen += 1
        text = response.content.decode()
        found += [f"{name} ({url}): {bad!r}" for bad in DEVELOPER_TEXT if bad in text]
    assert seen >= 10  # the walk really rendered pages for this role
    print("\n".join(found))
    assert found == []


def test_api_links_only_on_the_own_account_page(walk, client):
    client.force_login(walk.hse_specialist)
    docs = reverse("api-docs")
    assert f'href="{docs}"' not in client.get(reverse("core:home")).text  # no nav, footer or dashboard link
    assert f'href="{docs}"' in client.get(reverse("accounts:profile")).text


def test_system_admins_keep_a_docs_link(walk, client):
    client.force_login(walk.system_admin)
    assert f'href="{reverse("api-docs")}"' in client.get(reverse("core:home")).text


def test_the_admin_wears_the_portal_colours(walk, client, settings):
    client.force_login(walk.system_admin)
    page = client.get(reverse("admin:index")).text
    assert '<link rel="stylesheet" href="/static/css/admin.css">' in page
    css = (settings.BASE_DIR / "static" / "css" / "admin.css").read_text()
    portal = (settings.BASE_DIR / "static" / "css" / "portal.css").read_text()
    green = re.search(r"--portal-green: (#[0-9a-f]{6})", portal).group(1)
    assert f"--header-bg: {green};" in css
    assert f"--button-hover-bg: {green};" in css


def test_select_placeholders_are_named_for_people():
    from django import forms

    from apps.common.widgets import StyledForm
    from apps.org.models import StructuralUnit

    class Example(StyledForm):
        required_unit = forms.ModelChoiceField(queryset=StructuralUnit.objects.none())
        optional_unit = forms.ModelChoiceField(queryset=StructuralUnit.objects.none(), required=False)
        named = forms.ModelChoiceField(queryset=StructuralUnit.objects.none(), empty_label="All units")

    class Plain(forms.Form):  # drawn by Django's own templates (crispy), through the portal's renderer
        kind = forms.ChoiceField(choices=[("", "---------"), ("a", "A")])
        unit = forms.ModelChoiceField(queryset=StructuralUnit.objects.none(), required=False)

    html = str(Example().as_p()) + str(Plain().as_p())
    assert "---------" not in html
    assert '<option value="" selected>Choose…</option>' in html
    assert '<option value="">None</option>' in html or '<option value="" selected>None</option>' in html
    assert "All units" in html
