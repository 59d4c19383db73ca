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

BOX_W, BOX_H, COL_GAP, ROW_GAP, PAD = 170, 64, 50, 16, 12
WRAP = 23


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


def cause_tree_svg(facts: list[Fact], links: list[tuple[int, int]], *, title: str = "") -> SafeString:
    """The tree drawn left to right: earliest facts on the left, the final event on the right,
    unusual facts in amber with a bold border, conjunctions marked with “&”."""
    if not facts:
        return mark_safe("")
    title = title or _("Cause tree")
    columns = _columns(facts, links)
    n_cols = max(columns.values()) + 1
    by_col: dict[int, list[Fact]] = {}
    for fact in facts:
        by_col.setdefault(columns[fact.id], []).append(fact)
    # Order each column by the mean row of the facts it leads to, to limit crossings.
    position: dict[int, tuple[float, float]] = {}
    consequents: dict[int, list[int]] = {}
    for antecedent, consequent in links:
        consequents.setdefault(antecedent, []).append(consequent)
    rows_max = max(len(col) for col in by_col.values())
    height = rows_max * (BOX_H + ROW_GAP) - ROW_GAP + 2 * PAD + 40
    width = max(n_cols * (BOX_W + COL_GAP) - COL_GAP + 2 * PAD, 560)
    row_of: dict[int, float] = {}
    for col in range(n_cols):
        items = by_col.get(col, [])
        if col:
            items.sort(key=lambda f: sum(row_of.get(c, 0) for c in consequents.get(f.id, [])) / max(
                len(consequents.get(f.id, [])), 1))  # fmt: skip
        span = len(items) * (BOX_H + ROW_GAP) - ROW_GAP
        top = PAD + (rows_max * (BOX_H + ROW_GAP) - ROW_GAP - span) / 2
        for index, fact in enumerate(items):
            y = top + index * (BOX_H + ROW_GAP)
            x = PAD + (n_cols - 1 - col) * (BOX_W + COL_GAP)
            position[fact.id] = (x, y)
            row_of[fact.id] = y
    kinds = link_kinds(links)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'style="min-width: {round(width * 0.7)}px; max-width: {width}px; height: auto" '
        f'role="img" class="cause-tree" aria-label="{escape(title)}" '
        f'font-family="DejaVu Sans, Arial, sans-serif"><title>{escape(title)}</title>',
        '<defs><marker id="ct-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#495057"/></marker></defs>',
    ]
    for antecedent, consequent in links:
        if antecedent not in position or consequent not in position:
            continue
        x1, y1 = position[antecedent]
        x2, y2 = position[consequent]
        sx, sy, ex, ey = x1 + BOX_W, y1 + BOX_H / 2, x2, y2 + BOX_H / 2
        mid = (sx + ex) / 2
        kind = kinds[(antecedent, consequent)]
        dash = ' stroke-dasharray="5 3"' if kind == "disjunction" else ""
        parts.append(
            f'<path d="M{sx:.1f},{sy:.1f} C{mid:.1f},{sy:.1f} {mid:.1f},{ey:.1f} {ex - 2:.1f},{ey:.1f}" '
            f'fill="none" stroke="#495057" stroke-width="1.4"{dash} marker-end="url(#ct-arrow)" '
            f'data-kind="{kind}"/>'
        )
    conjunctions = {consequent for (antecedent, consequent), kind in kinds.items() if kind == "conjunction"}
    for fact in facts:
        x, y = position[fact.id]
        if fact.is_final_event:
            fill, stroke, width_px = "#fde2e4", "#b02a37", 2.5
        elif fact.is_unusual:
            fill, stroke, width_px = "#ffe8a3", "#b58105", 2.5
        else:
            fill, stroke, width_px = "#ffffff", "#6c757d", 1
        parts.append(
            f'<g class="fact{" unusual" if fact.is_unusual else ""}{" final" if fact.is_final_event else ""}" '
            f'data-fact="{fact.id}"><rect x="{x:.1f}" y="{y:.1f}" width="{BOX_W}" height="{BOX_H}" rx="10" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{width_px}"/>'
        )
        lines = textwrap.wrap(fact.text, WRAP)[:4]
        if len(textwrap.wrap(fact.text, WRAP)) > 4:
            lines[-1] = lines[-1][: WRAP - 1] + "…"
        line_h = 13
        start = y + BOX_H / 2 - (len(lines) - 1) * line_h / 2 + 4
        weight = ' font-weight="bold"' if fact.is_unusual or fact.is_final_event else ""
        for index, line in enumerate(lines):
            parts.append(
                f'<text x="{x + BOX_W / 2:.1f}" y="{start + index * line_h:.1f}" font-size="11" '
                f'text-anchor="middle" fill="#212529"{weight}>{escape(line)}</text>'
            )
        parts.append(f"<title>{escape(fact.text)}</title></g>")
        if fact.id in conjunctions:
            parts.append(
                f'<circle cx="{x - 12:.1f}" cy="{y + BOX_H / 2:.1f}" r="8" fill="#fff" stroke="#495057"/>'
                f'<text x="{x - 12:.1f}" y="{y + BOX_H / 2 + 4:.1f}" font-size="10" text-anchor="middle" '
                f'fill="#212529">&amp;</text>'
            )
    legend_y = height - 18
    parts.append(
        f'<g class="legend" font-size="10" fill="#495057">'
        f'<rect x="{PAD}" y="{legend_y - 9}" width="14" height="10" rx="2" fill="#ffe8a3" stroke="#b58105" '
        f'stroke-width="2"/><text x="{PAD + 18}" y="{legend_y}">{escape(_("unusual fact"))}</text>'
        f'<rect x="{PAD + 110}" y="{legend_y - 9}" width="14" height="10" rx="2" fill="#fff" stroke="#6c757d"/>'
        f'<text x="{PAD + 128}" y="{legend_y}">{escape(_("usual fact"))}</text>'
        f'<rect x="{PAD + 210}" y="{legend_y - 9}" width="14" height="10" rx="2" fill="#fde2e4" stroke="#b02a37" '
        f'stroke-width="2"/><text x="{PAD + 228}" y="{legend_y}">{escape(_("final event"))}</text>'
        f'<text x="{PAD + 320}" y="{legend_y}">&amp; {escape(_("conjunction"))} · '
        f"- - {escape(_('disjunction'))}</text></g>"
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated text is escaped above
