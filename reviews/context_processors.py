from django.utils.functional import SimpleLazyObject


def notifications(request):
    """The unread count for the navbar bell, computed only if the page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from reviews.services import unread_count

    return {
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user, getattr(request, "organisation", None)))
    }
