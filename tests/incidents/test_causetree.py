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
