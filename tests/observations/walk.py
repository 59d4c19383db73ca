"""Permission-walk expectations for this app's URLs (see tests/walk.py)."""

EXPECTATIONS: dict = {}


def build(ctx) -> None:
    """Add the records this app's URLs need to the walk's context."""
