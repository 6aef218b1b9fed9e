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
        # Already read by CurrentOrganisationMiddleware; the query only for a request that skipped it.
        "user_memberships": getattr(request, "memberships", None) or memberships_for_user(request.user),
    }


def navigation(request):
    from aims.navigation import navigation as build

    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    areas = build(request.path)
    membership = getattr(request, "membership", None)
    if membership is not None and membership.expires_at is not None:
        # An external auditor sees only the pages their access opens.
        from accounts.middleware import EXTERNAL_AUDITOR_PATHS

        for area in areas:
            area["links"] = [link for link in area["links"] if link["url"].startswith(tuple(EXTERNAL_AUDITOR_PATHS))]
        areas = [area for area in areas if area["links"]]
    return {"nav_areas": areas}
