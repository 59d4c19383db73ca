"""No words in a template outside the translation tags: every template of the portal is read, its
Django tags, variables and comments set aside, and any English word left in the text of the page,
or in an attribute a user reads (title, placeholder, aria-label, alt, label), fails the test with
the file and the words, so a string cannot reach a Russian page untranslated."""

import re
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [BASE / "templates", *sorted((BASE / "apps").glob("*/templates"))]

# Django's own tags, variables and comments: what is inside them is translated (or is data).
DJANGO_SYNTAX = re.compile(
    r"\{%\s*block\s+(\w*(?:style|class|css)\w*)\s*%\}.*?\{%\s*endblock(?:\s+\1)?\s*%\}"  # CSS, class names
    r"|\{%\s*(?:blocktranslate|blocktrans)\b.*?\{%\s*(?:endblocktranslate|endblocktrans)\s*%\}"
    r"|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}"
    r"|\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}",
    re.DOTALL,
)
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "label", "data-confirm"}
WORD = re.compile(r"[A-Za-z]{2,}")
# Words that are the same in both languages: names, units, file types.
SAME_IN_BOTH = {"HSE", "PDF", "QR", "CSV", "API", "EN", "RU", "ID", "SVG", "OK", "Esc", "LTIFR", "TRIR", "KPI"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self._skip = 0
        self._skipped: list[str] = []

    def handle_starttag(self, tag, attrs):
        # Code, drawings, and text written in a named language on purpose (the bilingual QR poster).
        if tag in ("script", "style", "svg") or any(name == "lang" for name, _ in attrs):
            self._skipped.append(tag)
            self._skip += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self._take(value)

    def handle_endtag(self, tag):
        if self._skipped and self._skipped[-1] == tag:
            self._skipped.pop()
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._take(data)

    def _take(self, text):
        self.words += [word for word in WORD.findall(text) if word not in SAME_IN_BOTH]


def untranslated_words(source: str) -> list[str]:
    parser = _Text()
    parser.feed(DJANGO_SYNTAX.sub(" ", source))
    return parser.words


def test_the_scanner_finds_a_bare_word_and_passes_a_translated_one():
    assert untranslated_words("<p>Save the pass</p>") == ["Save", "the", "pass"]
    assert untranslated_words('<input placeholder="Search">') == ["Search"]
    assert untranslated_words('<p>{% translate "Save" %} {{ pass.number }} · PDF</p>') == []
    assert untranslated_words("<p>{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}</p>") == []
    assert untranslated_words("<script>const a = 'x';</script>{# note #}") == []
    assert untranslated_words('<p lang="en">Scan with your phone</p><p>Scan</p>') == ["Scan"]


def test_no_template_shows_a_word_outside_the_translation_tags():
    found = {}
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*.html")):
            words = untranslated_words(path.read_text())
            if words:
                found[str(path.relative_to(BASE))] = " ".join(words[:12])
    assert found == {}, "\n".join(f"{path}: {words}" for path, words in found.items())
