from django.urls import reverse

from apps.accounts.access import can
from apps.notifications.selectors import unread_count_for_user

from .navigation import NAV_ITEMS


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items = []
    for item in NAV_ITEMS:
        if can(user, item.capability):
            url = reverse(item.url_name)
            items.append(
                {
                    "label": item.label,
                    "url": url,
                    "icon": item.icon,
                    "active": path.startswith(url),
                    "primary": item.primary,
                }
            )
    return {
        "nav_items": [item for item in items if item["primary"]],
        "nav_more": [item for item in items if not item["primary"]],
        "is_system_admin": user.is_staff,
        "unread_notifications": unread_count_for_user(user),
    }
