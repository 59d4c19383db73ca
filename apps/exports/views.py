from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from apps.common.pagination import paginate

from .models import ExportJob
from .registry import export_choices


def _own_job(request, pk) -> ExportJob:
    """A job is its requester's alone: anyone else gets 404."""
    return get_object_or_404(ExportJob, pk=pk, requested_by=request.user)


@login_required
def export_list(request):
    jobs = ExportJob.objects.filter(requested_by=request.user).only(
        "id", "kind", "status", "rows_done", "rows_total", "created_at", "finished_at", "file"
    )
    page = paginate(request, jobs)
    labels = dict(export_choices())
    for job in page:
        job.label = labels.get(job.kind, job.kind)
    return render(request, "exports/export_list.html", {"page": page})


@login_required
def export_detail(request, pk):
    """The job's progress; while it runs the page refreshes its progress card (htmx)."""
    job = _own_job(request, pk)
    template = "exports/_progress.html" if request.htmx else "exports/export_detail.html"
    return render(request, template, {"job": job, "label": dict(export_choices()).get(job.kind, job.kind)})


@login_required
def export_download(request, pk):
    job = _own_job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1])
