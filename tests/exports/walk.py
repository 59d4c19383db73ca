"""Permission-walk expectations for the export jobs: each job is its requester's alone."""

from django.urls import reverse

from tests.walk import SIGNED_IN, Case


def build(ctx) -> None:
    from django.core.files.base import ContentFile

    from apps.exports.models import ExportJob

    ctx.export_job = ExportJob(kind="observations", requested_by=ctx.hse_specialist, status="done", rows_done=1)
    ctx.export_job.file.save("walk.csv", ContentFile(b"a,b\r\n1,2\r\n"), save=False)
    ctx.export_job.save()


def _owner_only(ok=200):
    expect = dict.fromkeys(SIGNED_IN, 404)
    expect["hse_specialist"] = ok
    expect["anonymous"] = 302
    return expect


EXPECTATIONS: dict = {
    "exports:list": [Case(lambda o: reverse("exports:list"), {**dict.fromkeys(SIGNED_IN, 200), "anonymous": 302})],
    "exports:detail": [Case(lambda o: o.export_job.get_absolute_url(), _owner_only())],
    "exports:download": [Case(lambda o: reverse("exports:download", args=[o.export_job.pk]), _owner_only())],
}
