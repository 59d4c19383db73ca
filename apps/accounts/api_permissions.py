from rest_framework.permissions import BasePermission

from .access import can


class HasCapability(BasePermission):
    """Deny by default: the view names a capability per HTTP method in `capabilities`.

    `capabilities = {"GET": "org.view", "POST": "org.manage"}`; a method not listed is refused.
    Object-level scope comes from the view's queryset (selectors), so outsiders get 404.
    """

    def has_permission(self, request, view):
        if request.method.upper() not in view.allowed_methods:
            return True  # let the view answer 405 Method Not Allowed
        capabilities = getattr(view, "capabilities", None) or {}
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        capability = capabilities.get(method)
        if capability is None:
            return False
        return can(request.user, capability)
