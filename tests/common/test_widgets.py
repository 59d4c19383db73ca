from django import forms
from django.test.html import parse_html

from apps.common.widgets import FastSelect, use_fast_select


class Pick(forms.Form):
    unit = forms.ChoiceField(choices=[("", "All units"), ("1", "Crushing & <Grinding>"), ("12", "Flotation")])


def test_fast_select_renders_what_django_renders():
    form = Pick({"unit": "12"})
    standard = str(form["unit"])
    use_fast_select(form.fields["unit"])
    fast = str(form["unit"])
    assert isinstance(form.fields["unit"].widget, FastSelect)
    assert parse_html(fast) == parse_html(standard)
    assert '<option value="12" selected>Flotation</option>' in fast
    assert "Crushing &amp; &lt;Grinding&gt;" in fast


def test_choices_given_as_ints_are_selected_by_their_text():
    widget = FastSelect(choices=[(3132, "Flotation"), (7, "Crushing")])
    html = widget.render("unit", 3132)
    assert '<option value="3132" selected>' in html and "3,132" not in html


def test_other_widgets_are_left_alone():
    field = forms.MultipleChoiceField(choices=[("a", "A")])
    use_fast_select(field)
    assert not isinstance(field.widget, FastSelect)
