"""The Russian catalogue is complete and the compiled .mo matches the .po that is committed."""

import gettext
import json
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _entries():
    """(flags, msgid, msgid_plural, [msgstr...], msgctxt or None) for each entry of the .po file."""
    for block in PO.read_text().split("\n\n"):
        flags, fields, current = "", {}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags += line
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[current] += json.loads(line)
            else:
                current, _, rest = line.partition(" ")
                fields[current] = json.loads(rest)
        if "msgid" in fields and fields["msgid"]:
            strings = [value for key, value in fields.items() if key.startswith("msgstr")]
            yield flags, fields["msgid"], fields.get("msgid_plural"), strings, fields.get("msgctxt")


def test_every_string_is_translated_and_none_is_fuzzy():
    entries = list(_entries())
    assert len(entries) > 100
    untranslated = [msgid for _, msgid, _, strings, _ in entries if not all(strings)]
    fuzzy = [msgid for flags, msgid, _, _, _ in entries if "fuzzy" in flags]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy


def test_compiled_catalogue_matches_the_source():
    with MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    for _, msgid, plural, strings, context in _entries():
        if plural and context:
            assert catalogue.npgettext(context, msgid, plural, 5) == strings[2], msgid
        elif plural:
            assert catalogue.ngettext(msgid, plural, 5) == strings[2], msgid
        elif context:
            assert catalogue.pgettext(context, msgid) == strings[0], (context, msgid)
        else:
            assert catalogue.gettext(msgid) == strings[0], msgid
