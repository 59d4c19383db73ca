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


class NoStoreForSignedInMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in user: each page, fragment,
    export, PDF and API answer carries personal data, so neither the browser (a shared plant
    computer, the back button after sign-out) nor a proxy may keep a copy.

    A response that already chose its own Cache-Control is left as it is: the views that set one
    do it deliberately (`never_cache` on the public certificate check and the anonymous form,
    which also forbids storing). Static files never reach this middleware: WhiteNoise answers them
    before the session is read. Anonymous pages (sign-in, public verification) are not touched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store, private"
        return response
