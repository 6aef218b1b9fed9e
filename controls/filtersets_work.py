"""FilterSets of controls, evidence, policies and the roadmap, shared by the pages and the API."""

import datetime as dt

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.filters import YesNoFilter
from controls.constants import (
    EXPIRING_DAYS,
    CheckResult,
    ControlType,
    EvidenceKind,
    EvidenceState,
    ImplementationStatus,
    PolicyKind,
    PolicyStatus,
    ReviewStatus,
    RoadmapPhase,
    RoadmapStatus,
)
from controls.filtersets import LabelledFilterSet
from controls.models import Control, Evidence, Policy, RoadmapAction, SoALine


def _members(request):
    from django.contrib.auth import get_user_model

    organisation = getattr(request, "organisation", None)
    return get_user_model().objects.filter(memberships__organisation=organisation).order_by("username")


class ControlFilterSet(LabelledFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    implementation_status = django_filters.ChoiceFilter(choices=ImplementationStatus.choices, label=_("Status"))
    control_type = django_filters.ChoiceFilter(choices=ControlType.choices, label=_("Type"))
    owner = django_filters.CharFilter(field_name="owner__username", label=_("Owner (username)"))
    framework = django_filters.CharFilter(
        method="filter_framework", label=_("Satisfies a requirement of (framework key)")
    )
    requirement = django_filters.CharFilter(method="filter_requirement", label=_("Requirement identifier"))
    risk = django_filters.CharFilter(field_name="risks__reference", label=_("Risk (reference)"), distinct=True)
    system = django_filters.CharFilter(
        field_name="ai_systems__reference", label=_("AI system (reference)"), distinct=True
    )
    last_check_result = django_filters.ChoiceFilter(choices=CheckResult.choices[1:], label=_("Last check"))
    review_overdue = YesNoFilter(method="filter_overdue", label=_("Review overdue"))

    class Meta:
        model = Control
        fields = ["q", "implementation_status", "control_type", "owner", "framework", "requirement", "risk", "system"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(reference__icontains=value) | Q(title__icontains=value) | Q(description__icontains=value)
        )

    def filter_framework(self, queryset, name, value):
        return queryset.filter(requirements__framework__key=value).distinct()

    def filter_requirement(self, queryset, name, value):
        return queryset.filter(requirements__identifier__iexact=value).distinct()

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(next_review__lt=today) if value else queryset.exclude(next_review__lt=today)


class ControlPageFilterSet(ControlFilterSet):
    owner = django_filters.ModelChoiceFilter(queryset=_members, label=_("Owner"))

    class Meta(ControlFilterSet.Meta):
        fields = ["q", "implementation_status", "control_type", "owner", "review_overdue"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("framework", "requirement", "risk", "system", "last_check_result"):
            self.filters.pop(name, None)


def filter_evidence_state(queryset, value, today=None):
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=EXPIRING_DAYS)
    content = Q(current_revision__isnull=False) | ~Q(url="")
    valid_from = Q(effective_date__isnull=True) | Q(effective_date__lte=today)
    not_rejected = ~Q(review_status=ReviewStatus.REJECTED)
    if value == EvidenceState.EXPIRED:
        return queryset.filter(expiry_date__lt=today)
    if value == EvidenceState.EXPIRING:
        return queryset.filter(expiry_date__gte=today, expiry_date__lte=soon)
    if value == EvidenceState.CURRENT:
        return queryset.filter(content, valid_from, not_rejected).filter(
            Q(expiry_date__isnull=True) | Q(expiry_date__gte=today)
        )
    if value == EvidenceState.NOT_YET:
        return queryset.filter(effective_date__gt=today)
    if value == EvidenceState.REJECTED:
        return queryset.filter(review_status=ReviewStatus.REJECTED)
    if value == EvidenceState.EMPTY:
        return queryset.exclude(content)
    return queryset


class EvidenceFilterSet(LabelledFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    state = django_filters.ChoiceFilter(choices=EvidenceState.choices, method="filter_state", label=_("State"))
    kind = django_filters.ChoiceFilter(choices=EvidenceKind.choices)
    review_status = django_filters.ChoiceFilter(choices=ReviewStatus.choices, label=_("Review"))
    owner = django_filters.CharFilter(field_name="owner__username", label=_("Owner (username)"))
    control = django_filters.CharFilter(field_name="controls__reference", label=_("Control (reference)"), distinct=True)
    requirement = django_filters.CharFilter(
        field_name="requirements__identifier", lookup_expr="iexact", label=_("Requirement identifier"), distinct=True
    )
    system = django_filters.CharFilter(
        field_name="ai_systems__reference", label=_("AI system (reference)"), distinct=True
    )

    class Meta:
        model = Evidence
        fields = ["q", "state", "kind", "review_status", "owner", "control", "requirement", "system"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(reference__icontains=value)
            | Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(current_revision__original_name__icontains=value)
        )

    def filter_state(self, queryset, name, value):
        return filter_evidence_state(queryset, value)


class EvidencePageFilterSet(EvidenceFilterSet):
    owner = django_filters.ModelChoiceFilter(queryset=_members, label=_("Owner"))

    class Meta(EvidenceFilterSet.Meta):
        fields = ["q", "state", "kind", "review_status", "owner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("control", "requirement", "system"):
            self.filters.pop(name, None)


class PolicyFilterSet(LabelledFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=PolicyKind.choices)
    status = django_filters.ChoiceFilter(choices=PolicyStatus.choices)
    all_versions = YesNoFilter(method="filter_versions", label=_("Every version"))

    class Meta:
        model = Policy
        fields = ["q", "kind", "status", "all_versions"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(reference__icontains=value) | Q(title__icontains=value) | Q(body__icontains=value))

    def filter_versions(self, queryset, name, value):
        return queryset  # applied in ``filter_queryset`` so that the default (no value) shows latest versions

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("all_versions") and not self.form.cleaned_data.get("status"):
            queryset = queryset.latest_versions()
        return queryset


class RoadmapFilterSet(LabelledFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    phase = django_filters.ChoiceFilter(choices=RoadmapPhase.choices)
    status = django_filters.ChoiceFilter(choices=RoadmapStatus.choices)
    owner = django_filters.CharFilter(field_name="owner__username", label=_("Owner (username)"))
    framework = django_filters.CharFilter(field_name="requirement__framework__key", label=_("Framework (key)"))
    overdue = YesNoFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = RoadmapAction
        fields = ["q", "phase", "status", "owner", "framework", "overdue"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(reference__icontains=value) | Q(title__icontains=value) | Q(requirement__identifier__icontains=value)
        )

    def filter_overdue(self, queryset, name, value):
        overdue = Q(status__in=[RoadmapStatus.PLANNED, RoadmapStatus.IN_PROGRESS], due_date__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class RoadmapPageFilterSet(RoadmapFilterSet):
    owner = django_filters.ModelChoiceFilter(queryset=_members, label=_("Owner"))


class SoALineFilterSet(LabelledFilterSet):
    applicable = YesNoFilter(label=_("Applicable"))
    undecided = YesNoFilter(field_name="applicable", lookup_expr="isnull", label=_("Not decided"))
    identifier = django_filters.CharFilter(field_name="requirement__identifier", lookup_expr="iexact")
    owner = django_filters.CharFilter(field_name="owner__username", label=_("Owner (username)"))

    class Meta:
        model = SoALine
        fields = ["applicable", "undecided", "identifier", "owner"]
