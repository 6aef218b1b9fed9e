from aims.roles import ROLE_MEANINGS


def organisation(request):
    """The current organisation, role and the user's other organisations, for the layout."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    if not membership:
        return {"current_organisation": None, "current_role": None}
    from accounts.selectors import memberships_for_user

    return {
        "current_organisation": membership.organisation,
        "current_role": membership.role,
        "current_role_label": membership.get_role_display(),
        "current_role_meaning": ROLE_MEANINGS.get(membership.role, ""),
        "user_memberships": memberships_for_user(request.user),
    }


def navigation(request):
    from aims.navigation import navigation as build

    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"nav_areas": build(request.path)}
