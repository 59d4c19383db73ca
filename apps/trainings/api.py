"""/api/v1/ endpoints of the trainings app: (prefix, viewset, basename) for hse_portal/api_urls.py."""

ROUTES: list = []
