"""Permission-walk expectations for the observation pages and API (see tests/walk.py)."""

from django.urls import reverse

from tests.walk import Case, api, page

VIEWERS = ["hse_specialist", "hse_head", "line_manager", "executive", "system_admin", "outsider"]
LOGGERS = ["hse_specialist", "hse_head", "line_manager", "outsider"]


def build(ctx) -> None:
    from apps.observations.models import Observation, ObservationCategory

    category, _ = ObservationCategory.objects.get_or_create(code="ppe", defaults={"name_en": "PPE", "name_ru": "СИЗ"})
    ctx.observation_category = category
    ctx.observation = Observation.objects.create(
        observer=ctx.hse_specialist, unit=ctx.crew, category=category, kind="unsafe_act", description="Seen"
    )
    from tests.observations.conftest import jpeg

    ctx.observation_photo = ctx.observation.photos.create(image=jpeg("walk.jpg"))


def _create_expectations():
    expect = page(LOGGERS)
    expect["anonymous"] = 302  # sent to sign in; a POST's input is kept for after
    return expect


def _post_data(ctx):
    return {
        "kind": "unsafe_act",
        "category": ctx.observation_category.pk,
        "description": "Walkway blocked by pallets",
        "feedback_given": "no",
        "risk": "medium",
        "unit": ctx.crew.pk,
        "observed_at": "2026-11-20T09:30",
    }


EXPECTATIONS: dict = {
    "observations:list": [Case(lambda o: reverse("observations:list"), page(VIEWERS))],
    "observations:create": [
        Case(lambda o: reverse("observations:create"), _create_expectations()),
        Case(
            lambda o: reverse("observations:create"),
            # The outsider may log, but not in the crew: the unit is not among the choices.
            {**_create_expectations(), "hse_specialist": 302, "hse_head": 302, "line_manager": 302, "outsider": 400},
            "post",
            _post_data,
        ),
    ],
    "observations:export": [Case(lambda o: reverse("observations:export"), page(VIEWERS))],
    "observations:stats": [Case(lambda o: reverse("observations:stats"), page(VIEWERS))],
    "observations:detail": [Case(lambda o: o.observation.get_absolute_url(), page(VIEWERS, outsider=404))],
    "observations:photo": [
        Case(lambda o: reverse("observations:photo", args=[o.observation_photo.pk]), page(VIEWERS, outsider=404))
    ],
    "api:observation-list": [
        Case(lambda o: reverse("api:observation-list"), api(VIEWERS)),
        Case(
            lambda o: reverse("api:observation-list"),
            {**api(LOGGERS, ok=201), "outsider": 400},
            "post",
            lambda o: {
                "unit": o.crew.pk,
                "kind": "safe_act",
                "category": o.observation_category.pk,
                "description": "Good housekeeping",
            },
        ),
    ],
    "api:observation-detail": [
        Case(lambda o: reverse("api:observation-detail", args=[o.observation.pk]), api(VIEWERS, outsider=404))
    ],
    "api:observation-category-list": [Case(lambda o: reverse("api:observation-category-list"), api(VIEWERS))],
    "api:observation-category-detail": [
        Case(lambda o: reverse("api:observation-category-detail", args=[o.observation_category.pk]), api(VIEWERS))
    ],
}
