from django.utils.functional import SimpleLazyObject

# Safe methods change nothing, so the count read with the memberships at the start of the request is still the
# count when the page renders. A POST may mark notifications read or create one before it renders (a form shown
# again with its errors): it counts afresh, as before.
_SAFE_METHODS = ("GET", "HEAD")


def notifications(request):
    """The unread count for the navbar bell: read with the memberships (``reviews.apps``), else computed only if
    the page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    if request.method in _SAFE_METHODS and hasattr(membership, "unread_notifications"):
        return {"unread_notifications": membership.unread_notifications}
    from reviews.services import unread_count

    return {
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user, getattr(request, "organisation", None)))
    }
