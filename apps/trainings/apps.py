from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingsConfig(AppConfig):
    name = "apps.trainings"
    label = "trainings"
    verbose_name = _("Trainings and internal trainers")

    def ready(self):
        from apps.contractors.gate import register_check

        from .gate import describe_refusal, expired_zone_trainings, holder_trainings_prefetch

        register_check(expired_zone_trainings, prefetch=(holder_trainings_prefetch(),), describe=describe_refusal)
