"""The review task filters, shared by the pages and the API."""

import django_filters
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.filters import OrganisationFilterSet, YesNoFilter
from reviews.constants import NotificationKind, TaskState
from reviews.kinds import kind_choices
from reviews.models import Notification, ReviewTask


def _members(request):
    organisation = getattr(request, "organisation", None)
    if organisation is None:
        return get_user_model().objects.none()
    return get_user_model().objects.filter(memberships__organisation=organisation).order_by("username")


class ReviewTaskFilterSet(OrganisationFilterSet):
    search_fields = ("reference", "object_label", "comment")

    state = django_filters.ChoiceFilter(choices=TaskState.choices, label=_("State"))
    kind = django_filters.ChoiceFilter(choices=kind_choices, label=_("Kind"))
    assignee = django_filters.ModelChoiceFilter(queryset=_members, label=_("Owner"))
    unassigned = YesNoFilter(field_name="assignee", lookup_expr="isnull", label=_("For the officers"))
    overdue = YesNoFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = ReviewTask
        fields = ["q", "state", "kind", "assignee", "unassigned", "overdue"]

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        if value is None:
            return queryset
        condition = {"state": TaskState.OPEN, "due_date__lt": today}
        return queryset.filter(**condition) if value else queryset.exclude(**condition)


class NotificationFilterSet(OrganisationFilterSet):
    unread = YesNoFilter(field_name="read_at", lookup_expr="isnull", label=_("Unread"))
    kind = django_filters.ChoiceFilter(choices=NotificationKind.choices, label=_("Kind"))

    class Meta:
        model = Notification
        fields = ["unread", "kind"]
