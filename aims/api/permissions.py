"""DRF glue for the permission module: every API view asks ``aims.permissions.can``."""

from rest_framework.permissions import BasePermission

from aims.permissions import can_for_request

_METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def _action_for(request, view) -> str:
    # A viewset may name the permission an @action needs (approve, export, ...).
    action_map = getattr(view, "permission_actions", {})
    return action_map.get(getattr(view, "action", None), _METHOD_ACTIONS.get(request.method, "manage"))


class RolePermission(BasePermission):
    """Deny by default: a view must name its ``queryset`` model or set ``permission_model``."""

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if getattr(view, "allow_any_member", False):
            return getattr(request, "organisation", None) is not None or getattr(view, "allow_no_organisation", False)
        model = getattr(view, "permission_model", None)
        if model is None and getattr(view, "queryset", None) is not None:
            model = view.queryset.model
        if model is None:
            return False
        action = _action_for(request, view)
        lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")
        if action == "view" or lookup in getattr(view, "kwargs", {}):
            # Object routes look the object up first (another organisation's is a 404, whatever the role)
            # and then ask has_object_permission; collections ask about the model here.
            return can_for_request(request, "view", model)
        return can_for_request(request, action, model)

    def has_object_permission(self, request, view, obj) -> bool:
        return can_for_request(request, _action_for(request, view), obj)
