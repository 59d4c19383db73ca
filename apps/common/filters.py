"""One way to filter a list, for its page and its API endpoint alike (django-filter).

Each list declares a `FilterSet` (`apps/<app>/filters.py`) whose filters *validate* the query
parameters; the filtering itself stays in the app's selector, which the FilterSet calls with the
cleaned values (`filter_with`). So:

- the API endpoint sets `filterset_class` and the `DjangoFilterBackend`: a malformed parameter
  (`?unit=abc`, `?date_from=yesterday`, a unit outside the user's scope) answers 400 with the
  field's error, and the parameters appear in the OpenAPI schema;
- the page builds the same FilterSet from `request.GET` and shows its errors in place (the list
  is then empty and the page answers 400), never a 500 and never a filter silently ignored.
"""

import hashlib

import django_filters
from django import forms
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .cache import cached
from .dates import validate_record_date
from .forms import DateInput
from .widgets import use_fast_select


class RecordDateFilter(django_filters.DateFilter):
    """A date parameter inside the records' window (so a year-1 date is a field error)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", DateInput())
        super().__init__(*args, **kwargs)
        self.extra.setdefault("validators", [validate_record_date])


STRICT_BOOLEAN_WORDS = {True: True, "true": True, "True": True, "1": True, "2": True,
                         False: False, "false": False, "False": False, "0": False, "3": False}  # fmt: skip
NOT_GIVEN = (None, "", "unknown")  # "unknown": the empty choice of a yes/no select


class StrictNullBooleanSelect(forms.NullBooleanSelect):
    """The yes/no select, which hands on a value it does not know (Django's turns it into "not
    given" before the field can refuse it)."""

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        if value in NOT_GIVEN:
            return None
        return STRICT_BOOLEAN_WORDS.get(value, value)


class StrictNullBooleanField(forms.NullBooleanField):
    """true/false (1/0); absent or empty is "not given"; anything else is a field error, not None
    (django's NullBooleanField reads `?flag=banana` as "not given": found by fuzzing the API)."""

    widget = StrictNullBooleanSelect

    def to_python(self, value):
        if value in NOT_GIVEN:
            return None
        if value not in STRICT_BOOLEAN_WORDS:
            raise forms.ValidationError(_("Enter true or false."), code="invalid")
        return STRICT_BOOLEAN_WORDS[value]


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictNullBooleanField


class SearchFilter(django_filters.CharFilter):
    """Free-text search: at most 200 characters."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Search"))
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)


# How long a filter's choices (units, people, categories) are kept: a unit or person added now
# shows in the filters within a minute; a parameter naming it is valid at once (validation reads
# the table).
FILTER_CHOICES_SECONDS = 60


def model_choices(field) -> list[tuple]:
    """(pk, label) of a model choice field's options, kept `FILTER_CHOICES_SECONDS` per query and
    language: building hundreds of model instances for every list page's filter card cost a third
    of the page's time at plant scale. The key is the query's SQL, scope included."""
    queryset = field.queryset
    sql = str(queryset.query)
    digest = hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:20]
    key = f"filter-choices:{queryset.model._meta.label_lower}:{digest}:{get_language()}"
    return cached(
        key,
        lambda: [(obj.pk, str(field.label_from_instance(obj))) for obj in queryset],
        timeout=FILTER_CHOICES_SECONDS,
    )


def _cache_choices(field) -> None:
    if not isinstance(field, forms.ModelChoiceField) or isinstance(field, forms.ModelMultipleChoiceField):
        return

    def choices():  # read when the select is drawn: an API request never reads them
        options = model_choices(field)
        return options if field.empty_label is None else [("", field.empty_label), *options]

    field.widget.choices = choices


def _style(field) -> None:
    use_fast_select(field)
    _cache_choices(field)
    widget = field.widget
    if isinstance(widget, forms.HiddenInput):
        return
    css = "form-select" if isinstance(widget, forms.Select) else "form-control"
    widget.attrs.setdefault("class", css)


class PortalFilterSet(django_filters.FilterSet):
    """Validates a list's query parameters; `filter_with()` hands the cleaned values to the app's
    selector. `layout` gives a filter's column classes on the page (default: a quarter)."""

    layout: dict[str, str] = {}
    default_layout = "col-6 col-md-3"
    # A yes/no parameter is true or false, or a field error (never read as "not given").
    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
    }

    def filter_queryset(self, queryset):
        values = {name: value for name, value in self.form.cleaned_data.items() if value not in (None, "", [])}
        return self.filter_with(queryset, **values)

    def filter_with(self, queryset, **values):
        """Apply the cleaned parameters (those given); the default is django-filter's own."""
        for name, value in values.items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_portal_styled", False):
            for field in form.fields.values():
                _style(field)
            form._portal_styled = True
        return form

    @property
    def is_filtering(self) -> bool:
        """True when the user narrowed the list (the page opens its filter card)."""
        if not self.is_bound or not self.is_valid():
            return bool(self.is_bound and self.errors)
        return any(value not in (None, "", []) for value in self.form.cleaned_data.values())

    def layout_fields(self):
        """(bound field, column classes) of the visible filters, for includes/filter_card.html."""
        form = self.form
        rows = []
        for name, field in form.fields.items():
            if isinstance(field.widget, forms.HiddenInput):
                continue
            if form.is_bound and name in form.errors:
                field.widget.attrs["class"] = field.widget.attrs.get("class", "") + " is-invalid"
            rows.append((form[name], self.layout.get(name, self.default_layout)))
        return rows

    def hidden_fields(self):
        form = self.form
        return [form[name] for name, field in form.fields.items() if isinstance(field.widget, forms.HiddenInput)]


def filtered_for_page(filterset):
    """(rows, status) for a list page: the filtered rows, or none and 400 when a parameter is
    malformed (the filter card shows which, in place)."""
    if filterset.is_valid():
        return filterset.qs, 200
    return filterset.queryset.none(), 400
