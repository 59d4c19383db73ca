from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import ALL_UNITS_ROLES, Role


class User(AbstractUser):
    """A portal user: one role, and the structural units that role covers."""

    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)
    units = models.ManyToManyField(
        "org.StructuralUnit",
        blank=True,
        related_name="assigned_users",
        verbose_name=_("units covered"),
        help_text=_("HSE specialists and line managers see these units and the units under them."),
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    line_manager = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="direct_reports",
        verbose_name=_("line manager"),
        help_text=_("Who overdue actions of this user escalate to."),
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def sees_all_units(self) -> bool:
        return self.role in ALL_UNITS_ROLES
