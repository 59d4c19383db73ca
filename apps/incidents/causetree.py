"""The INRS cause tree, in pure Python: validation with messages a commission understands, the
kinds of links, and the diagram laid out as SVG (the same picture in the page and the PDF).

A tree is built backwards from the single final event: every fact is an antecedent of another
fact, and every path ends at the final event.
"""

import re
import textwrap
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Fact:
    id: int
    text: str
    is_unusual: bool = False
    is_final_event: bool = False


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()


def _quote(text: str) -> str:
    return f"“{text}”"


def _find_cycle(ids, consequents) -> list[int] | None:
    """One cycle (as a list of ids, first repeated at the end) or None."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(ids, WHITE)
    for start in ids:
        if colour[start] != WHITE:
            continue
        path, stack = [], [(start, iter(consequents.get(start, ())))]
        colour[start] = GREY
        path.append(start)
        while stack:
            node, children = stack[-1]
            for child in children:
                if colour.get(child) == GREY:
                    return path[path.index(child) :] + [child]
                if colour.get(child) == WHITE:
                    colour[child] = GREY
                    path.append(child)
                    stack.append((child, iter(consequents.get(child, ()))))
                    break
            else:
                colour[node] = BLACK
                path.pop()
                stack.pop()
    return None


def validate_cause_tree(facts: list[Fact], links: list[tuple[int, int]]) -> list[str]:
    """Everything wrong with the tree, as sentences; an empty list when the tree is valid.

    `links` are (antecedent id, consequent id). An empty tree is valid (nothing built yet)."""
    if not facts:
        return []
    errors: list[str] = []
    by_id = {fact.id: fact for fact in facts}
    text = {fact.id: fact.text for fact in facts}

    finals = [fact for fact in facts if fact.is_final_event]
    if not finals:
        errors.append(_("The tree must end in exactly one final event (the incident itself); it has none."))
    elif len(finals) > 1:
        errors.append(
            _("The tree must end in exactly one final event; it has %(count)d: %(facts)s.")
            % {"count": len(finals), "facts": ", ".join(_quote(f.text) for f in finals)}
        )

    seen: dict[str, Fact] = {}
    for fact in facts:
        key = _norm(fact.text)
        if not key:
            errors.append(_("A fact is empty: write what happened."))
            continue
        if key in seen:
            errors.append(
                _("Two facts say the same thing: %(a)s and %(b)s. Keep one and link it to both.")
                % {"a": _quote(seen[key].text), "b": _quote(fact.text)}
            )
        else:
            seen[key] = fact

    consequents: dict[int, list[int]] = {}
    pairs = set()
    for antecedent, consequent in links:
        if antecedent not in by_id or consequent not in by_id:
            errors.append(_("A link points to a fact that is not in this tree."))
            continue
        if antecedent == consequent:
            errors.append(_("%(fact)s cannot be its own cause.") % {"fact": _quote(text[antecedent])})
            continue
        if (antecedent, consequent) in pairs:
            errors.append(
                _("%(a)s is already linked to %(b)s.") % {"a": _quote(text[antecedent]), "b": _quote(text[consequent])}
            )
            continue
        pairs.add((antecedent, consequent))
        consequents.setdefault(antecedent, []).append(consequent)

    for final in finals:
        if consequents.get(final.id):
            errors.append(
                _("The final event %(fact)s cannot lead to another fact: it is where the tree ends.")
                % {"fact": _quote(final.text)}
            )

    cycle = _find_cycle(list(by_id), consequents)
    if cycle:
        errors.append(
            _("These facts form a loop: %(loop)s. A fact cannot be its own cause, even indirectly.")
            % {"loop": " → ".join(_quote(text[i]) for i in cycle)}
        )

    if len(finals) == 1:
        # Walk backwards from the final event: whatever is not reached does not lead to it.
        antecedents: dict[int, list[int]] = {}
        for antecedent, consequent in pairs:
            antecedents.setdefault(consequent, []).append(antecedent)
        reached, stack = set(), [finals[0].id]
        while stack:
            node = stack.pop()
            if node in reached:
                continue
            reached.add(node)
            stack.extend(antecedents.get(node, ()))
        for fact in facts:
            if fact.id not in reached:
                errors.append(
                    _("%(fact)s does not lead to the final event: link it to the fact it caused, or remove it.")
                    % {"fact": _quote(fact.text)}
                )
    return errors


def link_kinds(links: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """Each link's kind: "disjunction" when the antecedent leads to several facts, "conjunction"
    when the consequent has several antecedents (all were necessary), else "chain"."""
    n_ante: dict[int, int] = {}
    n_cons: dict[int, int] = {}
    for antecedent, consequent in links:
        n_ante[consequent] = n_ante.get(consequent, 0) + 1
        n_cons[antecedent] = n_cons.get(antecedent, 0) + 1
    kinds = {}
    for antecedent, consequent in links:
        # A link out of a fact that leads to several is part of a disjunction (drawn dashed), even
        # when its consequent also has other antecedents (that conjunction is marked “&” there).
        if n_cons[antecedent] > 1:
            kinds[(antecedent, consequent)] = "disjunction"
        elif n_ante[consequent] > 1:
            kinds[(antecedent, consequent)] = "conjunction"
        else:
            kinds[(antecedent, consequent)] = "chain"
    return kinds


# Layout ---------------------------------------------------------------------------------------
#
# Two layouts of the same tree, both drawn 1:1 (one SVG unit = one CSS px on screen, so the text is
# exactly its font size, >= 12 px, wherever it is shown):
#
# - "wide" (desktops, the PDF): left to right, the earliest facts on the left, the final event on
#   the right; a tree wider than its column scrolls sideways (the page starts it at the final event);
# - "narrow" (phones): top to bottom, the earliest facts at the top, the final event at the bottom,
#   two boxes side by side at most per row on a phone's width; a level of three or more facts makes
#   the diagram wider and its container scrolls sideways, starting at the final event.
#
# The page shows one or the other by a CSS media query (.cause-tree-wide / .cause-tree-narrow).


@dataclass(frozen=True)
class _Layout:
    box_w: int
    gap_across: int  # between boxes of one level (rows of the wide layout, columns of the narrow)
    gap_along: int  # between levels
    font: int
    line_h: int
    max_lines: int
    pad: int
    min_width: int


LAYOUTS = {
    "wide": _Layout(box_w=176, gap_across=16, gap_along=46, font=13, line_h=16, max_lines=4, pad=14,
                    min_width=560),
    "narrow": _Layout(box_w=146, gap_across=12, gap_along=40, font=14, line_h=17, max_lines=5, pad=8,
                      min_width=320),
}  # fmt: skip
FONT_MIN = 12  # px: no text of the diagram is smaller (the legend's size)
LEGEND_ROW = 22  # px


def _wrap_width(layout: _Layout) -> int:
    return int((layout.box_w - 14) / (layout.font * 0.6))


def _lines(text: str, layout: _Layout) -> list[str]:
    width = _wrap_width(layout)
    lines = textwrap.wrap(text, width, break_long_words=True) or [""]
    if len(lines) > layout.max_lines:
        lines = lines[: layout.max_lines]
        lines[-1] = lines[-1][: width - 1] + "…"
    return lines


def _columns(facts: list[Fact], links) -> dict[int, int]:
    """Distance from the final event along the longest path (0 = the final event)."""
    consequents: dict[int, list[int]] = {}
    for antecedent, consequent in links:
        consequents.setdefault(antecedent, []).append(consequent)
    memo: dict[int, int] = {}

    def depth(node, visiting=()):
        if node in memo:
            return memo[node]
        if node in visiting:
            return 0  # a loop (an invalid tree): draw it anyway
        nexts = consequents.get(node, [])
        memo[node] = 0 if not nexts else 1 + max(depth(n, (*visiting, node)) for n in nexts)
        return memo[node]

    return {fact.id: depth(fact.id) for fact in facts}


def _ordered_levels(facts: list[Fact], links) -> list[list[Fact]]:
    """The facts by level (0 = the final event's), each level ordered by the mean place of the facts
    it leads to, to limit crossings."""
    columns = _columns(facts, links)
    levels: list[list[Fact]] = [[] for _level in range(max(columns.values()) + 1)]
    for fact in facts:
        levels[columns[fact.id]].append(fact)
    consequents: dict[int, list[int]] = {}
    for antecedent, consequent in links:
        consequents.setdefault(antecedent, []).append(consequent)
    place: dict[int, float] = {}
    for index, items in enumerate(levels):
        if index:
            items.sort(key=lambda f: sum(place.get(c, 0) for c in consequents.get(f.id, [])) / max(
                len(consequents.get(f.id, [])), 1))  # fmt: skip
        for order, fact in enumerate(items):
            place[fact.id] = order - (len(items) - 1) / 2
    return levels


def cause_tree_svg(
    facts: list[Fact], links: list[tuple[int, int]], *, title: str = "", layout: str = "wide"
) -> SafeString:
    """The tree drawn left to right (`layout="wide"`) or top to bottom (`"narrow"`): earliest facts
    first, the final event last, unusual facts in amber with a bold border, the final event in red,
    conjunctions marked with “&”, disjunctions dashed; a legend under the diagram."""
    if not facts:
        return mark_safe("")
    title = title or _("Cause tree")
    spec = LAYOUTS[layout]
    wide = layout == "wide"
    levels = _ordered_levels(facts, links)
    n_levels = len(levels)
    lines = {fact.id: _lines(fact.text, spec) for fact in facts}
    box_h = max(len(found) for found in lines.values()) * spec.line_h + 18
    most = max(len(items) for items in levels)
    # Along: one step per level; across: the widest level, every level centred on it.
    across_box = box_h if wide else spec.box_w
    along_box = spec.box_w if wide else box_h
    across_span = most * (across_box + spec.gap_across) - spec.gap_across
    along_span = n_levels * (along_box + spec.gap_along) - spec.gap_along
    conj_room = 14  # room for the "&" marks before the first level's boxes
    if wide:
        width = max(along_span + 2 * spec.pad + conj_room, spec.min_width)
    else:
        width = max(across_span + 2 * spec.pad, spec.min_width)
    # The legend sits by the final event, the part of a wide tree shown first: right-aligned under
    # the wide layout, centred under the narrow one, in as many rows as its entries need.
    legend_rows = _legend_rows(_legend_items(), (width if wide else min(width, 330)) - 2 * spec.pad)
    legend_h = len(legend_rows) * LEGEND_ROW + 10
    diagram_h = across_span if wide else along_span + conj_room
    height = diagram_h + 2 * spec.pad + legend_h
    position: dict[int, tuple[float, float]] = {}
    for level, items in enumerate(levels):
        span = len(items) * (across_box + spec.gap_across) - spec.gap_across
        if wide:
            start = spec.pad + (across_span - span) / 2
            x = spec.pad + conj_room + (n_levels - 1 - level) * (spec.box_w + spec.gap_along)
            for index, fact in enumerate(items):
                position[fact.id] = (x, start + index * (box_h + spec.gap_across))
        else:
            start = (width - span) / 2
            y = spec.pad + conj_room + (n_levels - 1 - level) * (box_h + spec.gap_along)
            for index, fact in enumerate(items):
                position[fact.id] = (start + index * (spec.box_w + spec.gap_across), y)
    kinds = link_kinds(links)
    marker = f"ct-arrow-{layout}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="img" class="cause-tree cause-tree-{layout}" aria-label="{escape(title)}" '
        f'font-family="DejaVu Sans, Arial, sans-serif"><title>{escape(title)}</title>',
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#495057"/></marker></defs>',
    ]
    for antecedent, consequent in links:
        if antecedent not in position or consequent not in position:
            continue
        x1, y1 = position[antecedent]
        x2, y2 = position[consequent]
        kind = kinds[(antecedent, consequent)]
        dash = ' stroke-dasharray="5 3"' if kind == "disjunction" else ""
        if wide:
            sx, sy, ex, ey = x1 + spec.box_w, y1 + box_h / 2, x2 - 2, y2 + box_h / 2
            mid = (sx + ex) / 2
            curve = f"M{sx:.1f},{sy:.1f} C{mid:.1f},{sy:.1f} {mid:.1f},{ey:.1f} {ex:.1f},{ey:.1f}"
        else:
            sx, sy, ex, ey = x1 + spec.box_w / 2, y1 + box_h, x2 + spec.box_w / 2, y2 - 2
            mid = (sy + ey) / 2
            curve = f"M{sx:.1f},{sy:.1f} C{sx:.1f},{mid:.1f} {ex:.1f},{mid:.1f} {ex:.1f},{ey:.1f}"
        parts.append(
            f'<path d="{curve}" fill="none" stroke="#495057" stroke-width="1.4"{dash} marker-end="url(#{marker})" '
            f'data-kind="{kind}"/>'
        )
    conjunctions = {consequent for (antecedent, consequent), kind in kinds.items() if kind == "conjunction"}
    for fact in facts:
        x, y = position[fact.id]
        fill, stroke, stroke_w = _box_colours(fact)
        parts.append(
            f'<g class="fact{" unusual" if fact.is_unusual else ""}{" final" if fact.is_final_event else ""}" '
            f'data-fact="{fact.id}"><rect x="{x:.1f}" y="{y:.1f}" width="{spec.box_w}" height="{box_h}" rx="10" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{stroke_w}"/>'
        )
        fact_lines = lines[fact.id]
        start = y + box_h / 2 - (len(fact_lines) - 1) * spec.line_h / 2 + spec.font * 0.35
        weight = ' font-weight="bold"' if fact.is_unusual or fact.is_final_event else ""
        for index, line in enumerate(fact_lines):
            parts.append(
                f'<text x="{x + spec.box_w / 2:.1f}" y="{start + index * spec.line_h:.1f}" font-size="{spec.font}" '
                f'text-anchor="middle" fill="#212529"{weight}>{escape(line)}</text>'
            )
        parts.append(f"<title>{escape(fact.text)}</title></g>")
        if fact.id in conjunctions:
            cx, cy = (x - 12, y + box_h / 2) if wide else (x + spec.box_w / 2 + 22, y - 12)
            parts.append(
                f'<g class="conjunction"><circle cx="{cx:.1f}" cy="{cy:.1f}" r="9" fill="#fff" stroke="#495057"/>'
                f'<text x="{cx:.1f}" y="{cy + 4.5:.1f}" font-size="{FONT_MIN}" text-anchor="middle" '
                f'fill="#212529">&amp;</text></g>'
            )
    parts.append(_legend_svg(legend_rows, top=height - legend_h + 6, width=width, pad=spec.pad, align_end=wide))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated text is escaped above


def _box_colours(fact: Fact) -> tuple[str, str, float]:
    if fact.is_final_event:
        return "#fde2e4", "#b02a37", 2.5
    if fact.is_unusual:
        return "#ffe8a3", "#b58105", 2.5
    return "#ffffff", "#6c757d", 1


def _legend_items() -> list[tuple[str, str]]:
    return [
        ("unusual", _("unusual fact")),
        ("usual", _("usual fact")),
        ("final", _("final event")),
        ("links", f"& {_('conjunction')} · - - {_('disjunction')}"),
    ]


LEGEND_SWATCHES = {
    "unusual": ("#ffe8a3", "#b58105", 2),
    "usual": ("#fff", "#6c757d", 1),
    "final": ("#fde2e4", "#b02a37", 2),
}


def _legend_width(key: str, label: str) -> float:
    return (19 if key in LEGEND_SWATCHES else 0) + len(label) * FONT_MIN * 0.6 + 18


def _legend_rows(items, room: float) -> list[list[tuple[str, str]]]:
    rows: list[list[tuple[str, str]]] = [[]]
    used = 0.0
    for key, label in items:
        needed = _legend_width(key, label)
        if rows[-1] and used + needed > room:
            rows.append([])
            used = 0.0
        rows[-1].append((key, label))
        used += needed
    return rows


def _legend_svg(rows, *, top: float, width: float, pad: float, align_end: bool) -> str:
    parts = [f'<g class="legend" font-size="{FONT_MIN}" fill="#495057">']
    for number, row in enumerate(rows):
        row_w = sum(_legend_width(key, label) for key, label in row) - 18
        x = width - pad - row_w if align_end else (width - row_w) / 2
        y = top + number * LEGEND_ROW + 10
        for key, label in row:
            swatch = LEGEND_SWATCHES.get(key)
            start = x
            if swatch:
                fill, stroke, stroke_w = swatch
                parts.append(
                    f'<rect x="{x:.1f}" y="{y - 10}" width="14" height="11" rx="2" fill="{fill}" stroke="{stroke}" '
                    f'stroke-width="{stroke_w}"/>'
                )
                x += 19
            parts.append(f'<text x="{x:.1f}" y="{y}">{escape(label)}</text>')
            x = start + _legend_width(key, label)
    parts.append("</g>")
    return "".join(parts)
