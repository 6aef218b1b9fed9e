"""The dashboard panel: the member's open reviews, overdue first (officers also see those nobody owns)."""

from django.utils.translation import gettext

from aims.permissions import administers, has_officer_rights, role_of
from reviews.constants import TaskState
from reviews.models import ReviewTask
from reviews.scheduling import local_now


def reviews_panel(request):
    """Two queries: the first open tasks and their count."""
    user, organisation = request.user, request.organisation
    role = role_of(user, organisation)
    officer = has_officer_rights(role) or administers(role)
    tasks = (
        ReviewTask.objects.visible_to(user, organisation)
        .for_member(user, include_officer_queue=officer)
        .filter(state=TaskState.OPEN)
    )
    if tasks.query.is_empty():
        return None
    today = local_now(organisation).date()
    first = list(tasks.select_related("assignee").order_by("due_date", "reference")[:6])
    return {
        "title": gettext("My reviews"),
        "template": "reviews/panels/my_reviews.html",
        "context": {
            "tasks": first,
            "total": tasks.count() if len(first) == 6 else len(first),
            "today": today,
        },
    }
