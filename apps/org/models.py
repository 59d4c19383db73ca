"""The enterprise's structure: sites, structural units (a tree), people, hours worked."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from apps.common.dates import DATABASE_FLOOR_DATE, month_start, records_begin

# Plausibility cap on one unit's hours in one month: 10,000 people working round the clock for
# 31 days log 7.44 million hours, so ten million leaves headroom for the largest unit and still
# refuses a figure typed with three zeros too many. Far below what the column holds (12 digits).
HOURS_WORKED_MAX = Decimal("10000000")


def validate_hours_month(value) -> None:
    """Hours are recorded for a month that has begun: not before the records' first month, not a
    future month (the current month may be recorded as it goes)."""
    if value is None:
        return
    month = month_start(value)
    first = month_start(records_begin())
    if month < first:
        raise ValidationError(
            _("This is before the enterprise's records begin (%(month)s).")
            % {"month": date_format(first, "YEAR_MONTH_FORMAT")},
            code="too_early",
        )
    if month > month_start(timezone.localdate()):
        raise ValidationError(_("Hours cannot be recorded for a month that has not begun."), code="in_future")


class Site(models.Model):
    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    address = models.CharField(_("address"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self):
        return self.name


class StructuralUnit(models.Model):
    class Kind(models.TextChoices):
        SHOP = "shop", _("Shop")
        DEPARTMENT = "department", _("Department")
        CREW = "crew", _("Crew")
        AREA = "area", _("Area")
        FACILITY = "facility", _("Facility")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="units", verbose_name=_("site"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SHOP)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["site__name", "name"]
        verbose_name = _("structural unit")
        verbose_name_plural = _("structural units")
        constraints = [
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="org_unit_not_own_parent"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("org:unit_detail", args=[self.pk])

    def clean(self):
        if self.parent_id is None:
            return
        if self.parent.site_id != self.site_id:
            raise ValidationError({"parent": _("The parent unit must belong to the same site.")})
        ancestor = self.parent
        while ancestor is not None:
            if self.pk and ancestor.pk == self.pk:
                raise ValidationError({"parent": _("A unit cannot sit under itself.")})
            ancestor = ancestor.parent


class Person(models.Model):
    """A worker on the unit's roll. Not necessarily a portal user."""

    full_name = models.CharField(_("full name"), max_length=200)
    personnel_number = models.CharField(_("personnel number"), max_length=30, unique=True)
    job_title = models.CharField(_("job title"), max_length=200)
    unit = models.ForeignKey(StructuralUnit, on_delete=models.PROTECT, related_name="people", verbose_name=_("unit"))
    is_foreman = models.BooleanField(_("foreman"), default=False)
    is_active = models.BooleanField(_("on the roll"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="person",
        verbose_name=_("portal user"), help_text=_("The person's own portal account, if they have one."),
    )  # fmt: skip

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [models.Index(fields=["unit", "full_name"])]

    def __str__(self):
        return f"{self.full_name} ({self.job_title})"


class HoursWorked(models.Model):
    """Hours worked by a unit in one calendar month: the denominator of TRIR and LTIFR."""

    unit = models.ForeignKey(
        StructuralUnit, on_delete=models.PROTECT, related_name="hours_worked", verbose_name=_("unit")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."), validators=[validate_hours_month])
    hours = models.DecimalField(
        _("hours worked"),
        max_digits=12,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(HOURS_WORKED_MAX)],
    )

    class Meta:
        ordering = ["unit", "-month"]
        verbose_name = _("hours worked")
        verbose_name_plural = _("hours worked")
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="org_hours_one_row_per_unit_month"),
            models.CheckConstraint(condition=models.Q(hours__gte=0), name="org_hours_not_negative"),
            models.CheckConstraint(condition=models.Q(hours__lte=HOURS_WORKED_MAX), name="org_hours_plausible"),
            # The last line behind the month validator: never before the database floor, always a
            # month's first day.
            models.CheckConstraint(condition=models.Q(month__gte=DATABASE_FLOOR_DATE), name="org_hours_month_floor"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="org_hours_month_first_day"),
        ]

    def __str__(self):
        return f"{self.unit} {self.month:%Y-%m}: {self.hours}"

    def clean(self):
        if self.month:
            self.month = month_start(self.month)
