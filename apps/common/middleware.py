"""Requests too large to be a real form or API call are refused before anything reads them."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class RequestBodyLimitMiddleware:
    """413 for a body larger than the portal accepts: `PORTAL_MAX_UPLOAD_BYTES` for a form with
    files (multipart), `DATA_UPLOAD_MAX_MEMORY_SIZE` for anything else (a form, a JSON call)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = request.content_type == "multipart/form-data"
        limit = settings.PORTAL_MAX_UPLOAD_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length > limit:
            return self._too_large(request, limit)
        return self.get_response(request)

    def _too_large(self, request, limit):
        megabytes = max(limit // (1024 * 1024), 1)
        message = _("What was sent is larger than %(size)s MB: nothing was saved.") % {"size": megabytes}
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=413)
        return render(request, "413.html", {"message": message}, status=413)
