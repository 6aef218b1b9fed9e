"""FilterSets shared by the governance pages and the API."""

import datetime as dt

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from aims.filters import OrganisationFilterSet, YesNoFilter
from governance.constants import (
    EXPIRING_DAYS,
    AimsProcess,
    AudienceKind,
    Channel,
    Delivery,
    Frequency,
    ObjectiveStatus,
    Raci,
    TrainingResult,
)
from governance.models import (
    AimsRole,
    Communication,
    Competence,
    Objective,
    RaciEntry,
    RoleAssignment,
    TrainingCourse,
    TrainingRecord,
)
from risk import annex_c


def _members(request):
    from accounts.models import User

    organisation = getattr(request, "organisation", None)
    return User.objects.filter(memberships__organisation=organisation).order_by("username")


def _records(model_cls):
    """Choices of ``model_cls`` from the request's organisation only."""

    def _queryset(request):
        return model_cls.objects.filter(organisation=getattr(request, "organisation", None)).order_by("reference")

    return _queryset


@extend_schema_field(OpenApiTypes.INT)
class MemberFilter(django_filters.ModelChoiceFilter):
    """A member of the request's organisation, by user id."""


@extend_schema_field(OpenApiTypes.UUID)
class RecordFilter(django_filters.ModelChoiceFilter):
    """A record of the request's organisation, by id."""


def _active_q(prefix: str = "") -> Q:
    today = timezone.localdate()
    return Q(**{f"{prefix}start__lte": today}) & (
        Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": today})
    )


class AimsRoleFilterSet(OrganisationFilterSet):
    holder = MemberFilter(queryset=_members, method="filter_holder", label=_("Held by"))
    reports_performance = YesNoFilter(label=_("Reports performance"))
    receives_concerns = YesNoFilter(label=_("Receives concerns"))
    is_active = YesNoFilter(label=_("In use"))
    vacant = YesNoFilter(method="filter_vacant", label=_("Nobody holds it"))

    class Meta:
        model = AimsRole
        fields = ["q", "holder", "reports_performance", "receives_concerns", "is_active", "vacant"]

    search_fields = ("reference", "name", "purpose", "responsibilities", "authorities")

    def filter_holder(self, queryset, name, value):
        if not value:
            return queryset
        held = RoleAssignment.objects.filter(_active_q(), role=OuterRef("pk"), member=value)
        return queryset.filter(Exists(held))

    def filter_vacant(self, queryset, name, value):
        if value is None:
            return queryset
        held = Exists(RoleAssignment.objects.filter(_active_q(), role=OuterRef("pk")))
        return queryset.filter(~held if value else held)


class RoleAssignmentFilterSet(OrganisationFilterSet):
    role = django_filters.ModelChoiceFilter(queryset=_records(AimsRole), label=_("Role"))
    member = django_filters.ModelChoiceFilter(queryset=_members, label=_("Member"))
    current = YesNoFilter(method="filter_current", label=_("In force today"))

    class Meta:
        model = RoleAssignment
        fields = ["q", "role", "member", "current"]

    search_fields = ("role__name", "role__reference", "member__username", "member__last_name", "note")

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(_active_q()) if value else queryset.exclude(_active_q())


class RaciEntryFilterSet(OrganisationFilterSet):
    role = django_filters.ModelChoiceFilter(queryset=_records(AimsRole), label=_("Role"))
    process = django_filters.ChoiceFilter(choices=AimsProcess.choices, label=_("Process"))
    code = django_filters.ChoiceFilter(choices=Raci.choices, label=_("Part"))

    class Meta:
        model = RaciEntry
        fields = ["role", "process", "code"]


class ObjectiveFilterSet(OrganisationFilterSet):
    status = django_filters.ChoiceFilter(choices=ObjectiveStatus.choices, label=_("Status"))
    annex_c_objective = django_filters.ChoiceFilter(choices=annex_c.objective_choices, label=_("Annex C objective"))
    owner = django_filters.ModelChoiceFilter(queryset=_members, label=_("Owner"))
    overdue = YesNoFilter(method="filter_overdue", label=_("Past its deadline"))
    deadline_before = django_filters.DateFilter(field_name="deadline", lookup_expr="lte", label=_("Deadline by"))

    class Meta:
        model = Objective
        fields = ["q", "status", "annex_c_objective", "owner", "overdue", "deadline_before"]

    search_fields = ("reference", "title", "description", "measure", "plan")

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = Q(status__in=[ObjectiveStatus.DRAFT, ObjectiveStatus.APPROVED], deadline__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class CompetenceFilterSet(OrganisationFilterSet):
    role = django_filters.ModelChoiceFilter(
        queryset=_records(AimsRole), field_name="roles", method="filter_role", label=_("Required for")
    )

    class Meta:
        model = Competence
        fields = ["q", "role"]

    search_fields = ("reference", "name", "description")

    def filter_role(self, queryset, name, value):
        if not value:
            return queryset
        links = Competence.roles.through.objects.filter(competence=OuterRef("pk"), aimsrole=value)
        return queryset.filter(Exists(links))


class TrainingCourseFilterSet(OrganisationFilterSet):
    delivery = django_filters.ChoiceFilter(choices=Delivery.choices, label=_("Delivery"))
    competence = RecordFilter(queryset=_records(Competence), method="filter_competence", label=_("Gives competence"))
    is_active = YesNoFilter(label=_("Offered"))

    class Meta:
        model = TrainingCourse
        fields = ["q", "delivery", "competence", "is_active"]

    search_fields = ("reference", "title", "provider", "description")

    def filter_competence(self, queryset, name, value):
        if not value:
            return queryset
        links = TrainingCourse.competences.through.objects.filter(trainingcourse=OuterRef("pk"), competence=value)
        return queryset.filter(Exists(links))


class TrainingRecordFilterSet(OrganisationFilterSet):
    member = django_filters.ModelChoiceFilter(queryset=_members, label=_("Member"))
    course = django_filters.ModelChoiceFilter(queryset=_records(TrainingCourse), label=_("Course"))
    result = django_filters.ChoiceFilter(choices=TrainingResult.choices, label=_("Result"))
    expired = YesNoFilter(method="filter_expired", label=_("Expired"))
    expiring = YesNoFilter(
        method="filter_expiring", label=format_lazy(_("Expires within {days} days"), days=EXPIRING_DAYS)
    )
    completed_after = django_filters.DateFilter(field_name="completed_on", lookup_expr="gte", label=_("Completed from"))

    class Meta:
        model = TrainingRecord
        fields = ["q", "member", "course", "result", "expired", "expiring", "completed_after"]

    search_fields = (
        "reference",
        "course__title",
        "course__reference",
        "member__username",
        "member__last_name",
        "notes",
    )

    def filter_expired(self, queryset, name, value):
        if value is None:
            return queryset
        expired = Q(expires_on__lt=timezone.localdate())
        return queryset.filter(expired) if value else queryset.exclude(expired)

    def filter_expiring(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        soon = Q(expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=EXPIRING_DAYS))
        return queryset.filter(soon) if value else queryset.exclude(soon)


class CommunicationFilterSet(OrganisationFilterSet):
    audience_kind = django_filters.ChoiceFilter(choices=AudienceKind.choices, label=_("Audience"))
    frequency = django_filters.ChoiceFilter(choices=Frequency.choices, label=_("How often"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    owner = django_filters.ModelChoiceFilter(queryset=_members, label=_("By whom"))
    overdue = YesNoFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = Communication
        fields = ["q", "audience_kind", "frequency", "channel", "owner", "overdue"]

    search_fields = ("reference", "topic", "description", "audience", "timing")

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = Q(next_due__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)
