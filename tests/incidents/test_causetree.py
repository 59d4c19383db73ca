import pytest

from apps.incidents.causetree import Fact, cause_tree_svg, link_kinds, validate_cause_tree

FINAL = Fact(1, "Hand caught in the tail pulley", is_final_event=True)
REACH = Fact(2, "Operator reaches in to clear spillage")
RUNNING = Fact(3, "Conveyor running", is_unusual=False)
GUARD = Fact(4, "Guard removed for cleaning", is_unusual=True)


def test_a_valid_tree_has_no_errors():
    facts = [FINAL, REACH, RUNNING, GUARD]
    links = [(2, 1), (3, 1), (4, 2)]
    assert validate_cause_tree(facts, links) == []


def test_an_empty_tree_is_valid_while_nothing_is_built():
    assert validate_cause_tree([], []) == []


def test_two_final_events_are_refused_naming_both():
    errors = validate_cause_tree([FINAL, Fact(2, "Truck hit the car", is_final_event=True)], [])
    assert any("exactly one final event" in e and "Hand caught" in e and "Truck hit the car" in e for e in errors)


def test_no_final_event_is_refused():
    errors = validate_cause_tree([REACH, GUARD], [(4, 2)])
    assert any("it has none" in e for e in errors)


def test_a_loop_is_refused_and_shown():
    facts = [FINAL, REACH, RUNNING, GUARD]
    links = [(2, 1), (3, 2), (4, 3), (2, 4)]
    errors = validate_cause_tree(facts, links)
    loops = [e for e in errors if "form a loop" in e]
    assert loops
    assert "“Operator reaches in to clear spillage” →" in loops[0]


def test_an_orphan_fact_is_refused():
    errors = validate_cause_tree([FINAL, REACH, GUARD], [(2, 1)])
    assert errors == [
        "“Guard removed for cleaning” does not lead to the final event: link it to the fact it caused, or remove it."
    ]


def test_duplicate_facts_are_refused_ignoring_case_and_punctuation():
    errors = validate_cause_tree([FINAL, REACH, Fact(5, "operator reaches in to clear spillage.")], [(2, 1), (5, 1)])
    assert any("Two facts say the same thing" in e for e in errors)


def test_the_final_event_leads_nowhere():
    errors = validate_cause_tree([FINAL, REACH], [(2, 1), (1, 2)])
    assert any("cannot lead to another fact" in e for e in errors)


def test_link_kinds_follow_the_shape():
    kinds = link_kinds([(2, 1), (3, 1), (4, 2), (4, 5), (5, 1)])
    assert kinds[(2, 1)] == "conjunction"
    assert kinds[(4, 2)] == "disjunction"
    assert kinds[(4, 5)] == "disjunction"
    assert link_kinds([(2, 1)]) == {(2, 1): "chain"}
    # 2 leads to 1 and 6: a disjunction, even though 1 also has other antecedents.
    assert link_kinds([(2, 1), (3, 1), (2, 6), (6, 1)])[(2, 1)] == "disjunction"


def test_svg_puts_earliest_facts_left_and_highlights_unusual_ones():
    svg = cause_tree_svg([FINAL, REACH, RUNNING, GUARD], [(2, 1), (3, 1), (4, 2)])
    assert svg.startswith("<svg")
    assert 'class="fact unusual" data-fact="4"' in svg
    assert 'data-kind="conjunction"' in svg

    def x_of(fact_id):
        chunk = svg.split(f'data-fact="{fact_id}"><rect x="')[1]
        return float(chunk.split('"')[0])

    assert x_of(4) < x_of(2) < x_of(1)


def test_svg_escapes_text():
    svg = cause_tree_svg([Fact(1, "<script>alert(1)</script>", is_final_event=True)], [])
    assert "<script>" not in svg


def test_a_link_given_twice_is_refused_once():
    errors = validate_cause_tree([FINAL, REACH], [(2, 1), (2, 1)])
    assert errors == ["“Operator reaches in to clear spillage” is already linked to “Hand caught in the tail pulley”."]


def test_a_fact_linked_to_itself_is_refused():
    errors = validate_cause_tree([FINAL, REACH], [(2, 1), (2, 2)])
    assert errors == ["“Operator reaches in to clear spillage” cannot be its own cause."]


def test_a_link_to_a_fact_outside_the_tree_is_refused():
    assert validate_cause_tree([FINAL, REACH], [(2, 1), (9, 1)]) == [
        "A link points to a fact that is not in this tree."
    ]
    assert validate_cause_tree([FINAL, REACH], [(2, 1), (2, 9)]) == [
        "A link points to a fact that is not in this tree."
    ]


def test_an_empty_fact_is_refused_and_punctuation_alone_is_empty():
    errors = validate_cause_tree([FINAL, Fact(5, " —!? "), REACH], [(5, 1), (2, 1)])
    assert errors == ["A fact is empty: write what happened."]


def test_facts_differing_by_a_word_are_not_duplicates():
    facts = [FINAL, Fact(2, "Guard 1 removed"), Fact(3, "Guard 2 removed"), Fact(4, "GUARD 1 — removed!")]
    errors = validate_cause_tree(facts, [(2, 1), (3, 1), (4, 1)])
    assert errors == [
        "Two facts say the same thing: “Guard 1 removed” and “GUARD 1 — removed!”. Keep one and link it to both."
    ]


def test_the_final_event_messages_in_full():
    assert (
        validate_cause_tree([REACH], [])
        == [
            "The tree must end in exactly one final event (the incident itself); it has none.",
            "“Operator reaches in to clear spillage” does not lead to the final event: link it to the fact it caused, "
            "or remove it.",
        ][:1]
    )
    two = validate_cause_tree([FINAL, Fact(2, "Truck hit the car", is_final_event=True)], [])
    assert two[0] == (
        "The tree must end in exactly one final event; it has 2: “Hand caught in the tail pulley”, “Truck hit the car”."
    )
    leads = validate_cause_tree([FINAL, REACH], [(2, 1), (1, 2)])
    assert leads[0] == (
        "The final event “Hand caught in the tail pulley” cannot lead to another fact: it is where the tree ends."
    )


def test_every_wrong_link_and_fact_is_told_not_only_the_first():
    facts = [FINAL, Fact(5, "?!"), Fact(6, ""), REACH, Fact(7, "operator reaches in to clear spillage"),
             Fact(8, "Operator reaches in to clear spillage.")]  # fmt: skip
    errors = validate_cause_tree(facts, [(9, 1), (10, 1), (2, 2), (2, 2), (2, 1), (2, 1), (2, 1), (5, 1), (6, 1),
                                          (7, 1), (8, 1)])  # fmt: skip
    assert errors.count("A fact is empty: write what happened.") == 2
    assert sum("say the same thing" in e for e in errors) == 2
    assert errors.count("A link points to a fact that is not in this tree.") == 2
    assert errors.count("“Operator reaches in to clear spillage” cannot be its own cause.") == 2
    assert sum("is already linked to" in e for e in errors) == 2


def test_exactly_one_final_event_boundaries():
    one = validate_cause_tree([FINAL, REACH], [(2, 1)])
    assert one == []
    three = [FINAL, Fact(2, "B", is_final_event=True), Fact(3, "C", is_final_event=True)]
    assert any("it has 3:" in e for e in validate_cause_tree(three, []))


def test_a_loop_of_two_and_a_long_loop_are_found():
    facts = [FINAL, REACH, RUNNING, GUARD]
    assert any("form a loop" in e for e in validate_cause_tree(facts, [(2, 1), (3, 2), (2, 3), (4, 1)]))
    assert not any("form a loop" in e for e in validate_cause_tree(facts, [(2, 1), (3, 2), (4, 3)]))
    long_loop = [e for e in validate_cause_tree(facts, [(2, 1), (3, 2), (4, 3), (2, 4)]) if "form a loop" in e]
    assert long_loop == [
        "These facts form a loop: “Operator reaches in to clear spillage” → “Guard removed for cleaning” → "
        "“Conveyor running” → “Operator reaches in to clear spillage”. A fact cannot be its own cause, even indirectly."
    ]


def test_every_fact_reaches_the_final_event_even_through_others():
    facts = [FINAL, REACH, RUNNING, GUARD]
    assert validate_cause_tree(facts, [(2, 1), (3, 2), (4, 3)]) == []
    errors = validate_cause_tree(facts, [(2, 1), (4, 3)])  # 3 and 4 form an island
    assert errors == [
        "“Conveyor running” does not lead to the final event: link it to the fact it caused, or remove it.",
        "“Guard removed for cleaning” does not lead to the final event: link it to the fact it caused, or remove it.",
    ]
    # Without a single final event, the reach is not judged (the final event error says enough).
    assert not any("does not lead" in e for e in validate_cause_tree([REACH, GUARD], [(4, 2)]))


def test_link_kinds_need_more_than_one_on_a_side():
    kinds = link_kinds([(2, 1), (3, 1), (4, 3)])
    assert kinds == {(2, 1): "conjunction", (3, 1): "conjunction", (4, 3): "chain"}
    kinds = link_kinds([(2, 1), (2, 3), (3, 1)])
    assert kinds[(2, 1)] == "disjunction" and kinds[(2, 3)] == "disjunction" and kinds[(3, 1)] == "conjunction"


# The cause-tree algorithms' corners --------------------------------------------------------------


def test_facts_listed_antecedent_first_are_walked_too():
    assert validate_cause_tree([REACH, GUARD, FINAL], [(4, 2), (2, 1)]) == []


def test_a_loop_away_from_the_first_fact_is_found():
    from apps.incidents.causetree import _find_cycle

    # 1 is walked first and reaches 2; the loop 3 ⇄ 4 starts from a later fact.
    assert _find_cycle([1, 2, 3, 4], {1: [2], 3: [4], 4: [3]}) == [3, 4, 3]
    # A loop that does not pass through the fact the walk started from.
    assert _find_cycle([1, 2, 3], {1: [2], 2: [3], 3: [2]}) == [2, 3, 2]
    assert _find_cycle([1, 2, 3], {1: [2], 2: [3]}) is None


def test_columns_count_the_longest_path_to_the_final_event():
    from apps.incidents.causetree import _columns

    facts = [FINAL, REACH, RUNNING, GUARD]
    assert _columns(facts, [(2, 1), (3, 1), (4, 2), (4, 3)]) == {1: 0, 2: 1, 3: 1, 4: 2}
    assert _columns(facts, [(2, 1), (3, 2), (4, 3), (4, 1)]) == {1: 0, 2: 1, 3: 2, 4: 3}
    # A loop (an invalid tree) is still drawn: the walk stops where it came round.
    assert _columns([FINAL, REACH, RUNNING], [(2, 3), (3, 2), (2, 1)]) == {1: 0, 2: 2, 3: 1}


# The diagram, as drawn: any change of the picture shows here (regenerate with UPDATE_GOLDEN=1 after
# looking at the new one) ---------------------------------------------------------------------------

LONG = Fact(5, "Spillage piled at the tail pulley because the skirt seals at the loading chute are worn", True)
# Five and six lines at the wrap width: four are drawn, the fourth (a full line) cut to end in "…".
FIVE_LINES = Fact(7, "Spillage piled at the tail pulley because the worn skirt seals at the loading chutes "
                     "leak the fines")  # fmt: skip
SIX_LINES = Fact(8, FIVE_LINES.text + " onto the return belt")
DIAGRAMS = {
    # Column 1 as listed: 3 above 2 (both lead to the final event). Column 2, listed 6, 4, 5, is
    # drawn by the rows of what each leads to: 6 (to 3), 5 (to 2 and 3: between), 4 (to 2).
    "order": ([FINAL, RUNNING, REACH, Fact(6, "Six"), GUARD, Fact(5, "Five")],
              [(3, 1), (2, 1), (6, 3), (4, 2), (5, 2), (5, 3)], ""),
    "long": ([FINAL, FIVE_LINES, SIX_LINES], [(7, 1), (8, 1)], ""),
    "tree": ([FINAL, REACH, RUNNING, GUARD, LONG, Fact(6, "Stop needs a call to the control room")],
             [(2, 1), (3, 1), (4, 2), (5, 2), (5, 4), (6, 3)], ""),
    "chain": ([FINAL, REACH], [(2, 1)], "Tree of INC-7 <draft>"),
    "loop": ([FINAL, REACH, RUNNING], [(2, 3), (3, 2), (2, 1)], ""),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(DIAGRAMS))
def test_the_diagram_is_drawn_as_approved(name):
    import os
    from pathlib import Path

    facts, links, title = DIAGRAMS[name]
    svg = str(cause_tree_svg(facts, links, title=title))
    golden = Path(__file__).parent / "golden" / f"cause_tree_{name}.svg"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(svg + "\n", encoding="utf-8")
    assert svg + "\n" == golden.read_text(encoding="utf-8")


def test_no_facts_no_diagram():
    assert cause_tree_svg([], []) == ""


def test_the_diagram_is_titled_cause_tree_by_default():
    svg = str(cause_tree_svg([FINAL], []))
    assert 'aria-label="Cause tree"' in svg and "<title>Cause tree</title>" in svg


def test_a_link_to_a_fact_not_drawn_is_skipped_and_the_others_drawn():
    svg = str(cause_tree_svg([FINAL, REACH, GUARD], [(9, 1), (2, 9), (2, 1), (4, 2)]))
    assert svg.count("marker-end=") == 2


def test_the_order_of_a_column_follows_what_its_facts_lead_to():
    svg = str(cause_tree_svg(*DIAGRAMS["order"][:2]))

    def y_of(fact_id):
        return float(svg.split(f'data-fact="{fact_id}"><rect x="')[1].split('y="')[1].split('"')[0])

    assert y_of(3) < y_of(2)  # as listed: both lead to the final event
    assert y_of(6) < y_of(5) < y_of(4)  # listed 6, 4, 5


def test_a_long_fact_is_cut_after_four_lines():
    import textwrap

    assert [len(textwrap.wrap(f.text, 23)) for f in (FIVE_LINES, SIX_LINES)] == [5, 6]
    svg = str(cause_tree_svg(*DIAGRAMS["long"][:2]))
    five = svg.split('data-fact="7">')[1].split("</g>")[0]
    six = svg.split('data-fact="8">')[1].split("</g>")[0]
    assert five.count("<text") == 4 and "…" in five
    assert six.count("<text") == 4 and six.split("<text")[4].split(">")[1].split("<")[0].endswith("…")
