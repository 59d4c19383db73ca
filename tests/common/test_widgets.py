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


def test_a_field_with_an_error_says_so_to_screen_readers():
    from django.template.loader import render_to_string

    from apps.common.widgets import StyledForm

    class Example(StyledForm):
        name = forms.CharField(label="Name")
        note = forms.CharField(label="Note", required=False)

    form = Example(data={"name": ""})
    assert not form.is_valid()
    html = render_to_string("includes/form_fields.html", {"form": form})
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_name_error"' in html
    assert '<div class="text-danger small" id="id_name_error">' in html
    assert html.count('aria-invalid="true"') == 1  # the note has no error
    summary = render_to_string("includes/form_errors.html", {"form": form})
    assert '<a class="alert-link" href="#id_name">Name</a>: This field is required.' in summary
    assert render_to_string("includes/form_errors.html", {"form": Example()}).strip() == ""
