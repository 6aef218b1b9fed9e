"""FilterSets shared by the audits pages and the API."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field

from aims.filters import OrganisationFilterSet, YesNoFilter
from aims.permissions import administers, has_officer_rights, role_of
from aims.roles import Role
from audits.constants import (
    OPEN_ACTION_STATUSES,
    OPEN_INCIDENT_STATUSES,
    ActionStatus,
    AuditStatus,
    FindingKind,
    Grade,
    IncidentSeverity,
    IncidentStatus,
    KPIKind,
    NCSource,
    NCStatus,
    ProgrammeStatus,
    ReviewStatus,
)
from audits.models import (
    KPI,
    Audit,
    AuditProgramme,
    CorrectiveAction,
    Finding,
    Incident,
    ManagementReview,
    Nonconformity,
    ReviewAction,
)
from risk.filtersets import SystemChoiceFilter
from risk.schema import choice_schema


def _members(request):
    from accounts.models import User

    return User.objects.filter(memberships__organisation=getattr(request, "organisation", None)).order_by("username")


def _programmes(request):
    return AuditProgramme.objects.filter(organisation=getattr(request, "organisation", None)).order_by("-period_start")


def _audits(request):
    return Audit.objects.filter(organisation=getattr(request, "organisation", None)).order_by("-reference")


def choice_filter(choices, **kwargs) -> django_filters.ChoiceFilter:
    """A choice filter documented by pattern: ``status`` names different choice sets in different registers."""
    values = list(choices)
    filter_class = extend_schema_field(choice_schema(values))(
        type("PatternChoiceFilter", (django_filters.ChoiceFilter,), {})
    )
    return filter_class(choices=values, **kwargs)


class AuditProgrammeFilterSet(OrganisationFilterSet):
    search_fields = ("reference", "title", "objectives")
    status = choice_filter(ProgrammeStatus.choices)

    class Meta:
        model = AuditProgramme
        fields = ["q", "status"]


class AuditFilterSet(OrganisationFilterSet):
    search_fields = ("reference", "title", "scope", "units")
    status = choice_filter(AuditStatus.choices)
    programme = django_filters.ModelChoiceFilter(queryset=_programmes)
    lead_auditor = django_filters.ModelChoiceFilter(queryset=_members, label=gettext_lazy("Lead auditor"))
    system = SystemChoiceFilter(field_name="ai_systems", distinct=True)
    open = YesNoFilter(method="filter_open", label=gettext_lazy("Open"))

    class Meta:
        model = Audit
        fields = ["q", "status", "programme", "lead_auditor", "system", "open"]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        closed = Q(status=AuditStatus.CLOSED)
        return queryset.exclude(closed) if value else queryset.filter(closed)


class FindingFilterSet(OrganisationFilterSet):
    search_fields = ("reference", "title", "description")
    kind = choice_filter(FindingKind.choices)
    audit = django_filters.ModelChoiceFilter(queryset=_audits)

    class Meta:
        model = Finding
        fields = ["q", "kind", "audit"]


class NonconformityFilterSet(OrganisationFilterSet):
    search_fields = ("reference", "title", "description", "root_cause")
    status = choice_filter(NCStatus.choices)
    grade = choice_filter(Grade.choices)
    source = choice_filter(NCSource.choices)
    owner = django_filters.ModelChoiceFilter(queryset=_members)
    open = YesNoFilter(method="filter_open", label=gettext_lazy("Open"))

    class Meta:
        model = Nonconformity
        fields = ["q", "status", "grade", "source", "owner", "open"]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        closed = Q(status=NCStatus.CLOSED)
        return queryset.exclude(closed) if value else queryset.filter(closed)


class _ActionFilterSet(OrganisationFilterSet):
    """Corrective and review actions: overdue ones, and "mine" (the caller's own)."""

    search_fields = ("reference", "title")
    status = choice_filter(ActionStatus.choices)
    owner = django_filters.ModelChoiceFilter(queryset=_members)
    overdue = YesNoFilter(method="filter_overdue", label=gettext_lazy("Overdue"))
    mine = YesNoFilter(method="filter_mine", label=gettext_lazy("Mine"))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = Q(status__in=OPEN_ACTION_STATUSES, due_date__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value is None or user is None:
            return queryset
        return queryset.filter(owner=user) if value else queryset.exclude(owner=user)


class CorrectiveActionFilterSet(_ActionFilterSet):
    nonconformity = django_filters.UUIDFilter(field_name="nonconformity_id", label=gettext_lazy("Nonconformity"))

    class Meta:
        model = CorrectiveAction
        fields = ["q", "status", "owner", "overdue", "mine", "nonconformity"]


class ReviewActionFilterSet(_ActionFilterSet):
    class Meta:
        model = ReviewAction
        fields = ["q", "status", "owner", "overdue", "mine"]


class KPIFilterSet(OrganisationFilterSet):
    search_fields = ("reference", "name", "definition")
    kind = choice_filter(KPIKind.choices, label=gettext_lazy("Measured"))
    owner = django_filters.ModelChoiceFilter(queryset=_members)
    is_active = YesNoFilter(label=gettext_lazy("Active"))

    class Meta:
        model = KPI
        fields = ["q", "kind", "owner", "is_active"]


class ManagementReviewFilterSet(OrganisationFilterSet):
    search_fields = ("reference", "title", "minutes", "conclusions")
    status = choice_filter(ReviewStatus.choices)

    class Meta:
        model = ManagementReview
        fields = ["q", "status"]


class IncidentFilterSet(OrganisationFilterSet):
    search_fields = ("reference", "title", "description")
    status = choice_filter(IncidentStatus.choices)
    severity = choice_filter(IncidentSeverity.choices)
    system = SystemChoiceFilter(field_name="ai_systems", distinct=True)
    serious = YesNoFilter(label=gettext_lazy("Serious"))
    open = YesNoFilter(method="filter_open", label=gettext_lazy("Open"))
    clock_running = YesNoFilter(method="filter_clock", label=gettext_lazy("Reporting clock running"))

    class Meta:
        model = Incident
        fields = ["q", "status", "severity", "system", "serious", "open", "clock_running"]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        is_open = Q(status__in=OPEN_INCIDENT_STATUSES)
        return queryset.filter(is_open) if value else queryset.exclude(is_open)

    def filter_clock(self, queryset, name, value):
        if value is None:
            return queryset
        running = Q(reporting_deadline__isnull=False, reported_to_authority_at__isnull=True)
        return queryset.filter(running) if value else queryset.exclude(running)


def sees_all_actions(user, organisation) -> bool:
    """Officers (and auditors and administrators, who read everything) see every action; others see theirs
    highlighted."""
    role = role_of(user, organisation)
    return has_officer_rights(role) or administers(role) or role == Role.AUDITOR
