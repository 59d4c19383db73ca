"""Widgets that render fast enough for lists with hundreds of choices.

Django renders every <option> of a select through its own template: with the 300 units of a
plant in a filter that is most of a list page's time. `FastSelect` writes the same HTML directly
(escaped), and list filters use it for every single-choice select."""

from html import escape as html_escape

from django import forms
from django.forms.renderers import DjangoTemplates
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

# Django's own label of a select's empty choice: developer text, never shown as such.
DJANGO_EMPTY_LABEL = "---------"


def empty_choice_label(label, *, required: bool):
    """The label shown for a select's empty choice: the field's own when it has one, otherwise
    "Choose…" (the user must pick) or "None" (nothing is a valid answer)."""
    if str(label) != DJANGO_EMPTY_LABEL:
        return label
    return _("Choose…") if required else _("None")


class PortalFormRenderer(DjangoTemplates):
    """The form renderer of the portal (settings.FORM_RENDERER): Django's templates, with the
    empty choice of every select named for people (`empty_choice_label`), in one place for every
    form, crispy or not."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget and "optgroups" in widget:
            for _group, options, _index in widget["optgroups"]:
                for option in options:
                    if option.get("value") in ("", None):
                        option["label"] = empty_choice_label(option["label"], required=widget.get("required", False))
        return super().render(template_name, context, request)


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        if self.allow_multiple_selected:
            return super().render(name, value, attrs, renderer)
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        selected = self.format_value(value)
        selected_value = selected[0] if selected else ""
        parts = [f"<select{flatatt(final)}>"]
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):  # an <optgroup>
                parts.append(f'<optgroup label="{escape(option_value)}">')
                parts += [self._option(v, text, selected_value) for v, text in label]
                parts.append("</optgroup>")
            else:
                if option_value in ("", None):
                    label = empty_choice_label(label, required=self.is_required)
                parts.append(self._option(option_value, label, selected_value))
        parts.append("</select>")
        return mark_safe("".join(parts))

    @staticmethod
    def _option(option_value, label, selected_value) -> str:
        key = "" if option_value is None else str(getattr(option_value, "value", option_value))
        chosen = " selected" if key == selected_value else ""
        # html.escape, not Django's escape: no lazy-string wrapper per call (hundreds per page).
        return f'<option value="{html_escape(key)}"{chosen}>{html_escape(str(label))}</option>'


def use_fast_select(field) -> None:
    """Give a form field with a plain single select the fast widget (same attributes, same choices)."""
    widget = field.widget
    if type(widget) is forms.Select:
        fast = FastSelect(attrs=widget.attrs)
        fast.choices = widget.choices
        fast.is_required = widget.is_required
        field.widget = fast


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, `is-invalid`, `aria-invalid` and `aria-describedby` (the
    error text of templates/includes/form_fields.html) on the fields with errors (for forms drawn
    field by field, not through crispy)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            use_fast_select(field)
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)

    def full_clean(self):
        super().full_clean()
        if self.is_bound:
            for name in self.errors:
                if name in self.fields:
                    widget = self.fields[name].widget
                    widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                    widget.attrs["aria-invalid"] = "true"
                    widget.attrs["aria-describedby"] = f"{self[name].auto_id}_error"
