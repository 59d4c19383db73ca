"""API endpoints of this app: api_urls registers each (prefix, viewset, basename) in ROUTES."""

ROUTES: list = []
