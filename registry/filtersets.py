"""FilterSets shared by the inventory pages and the API."""

import django_filters
from django.db.models import Q

from aims.filters import OrganisationFilterSet, YesNoFilter
from registry.constants import (
    AITechnique,
    Criticality,
    DeploymentStatus,
    EUTier,
    IssueKind,
    LifecycleStage,
    OperatorRole,
    ScopeStatus,
)
from registry.models import AISystem, ContextIssue, InterestedParty, ScopeStatement


def _members(request):
    from accounts.models import User

    organisation = getattr(request, "organisation", None)
    return User.objects.filter(memberships__organisation=organisation).order_by("username")


class AISystemFilterSet(OrganisationFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    lifecycle_stage = django_filters.ChoiceFilter(choices=LifecycleStage.choices, label="Stage")
    eu_tier = django_filters.ChoiceFilter(choices=EUTier.choices, label="EU AI Act tier")
    in_scope = YesNoFilter(label="In scope")
    owner = django_filters.ModelChoiceFilter(
        queryset=_members, field_name="business_owner", method="filter_owner", label="Owner"
    )
    reassessment_required = YesNoFilter(label="Reassessment required")
    operator_role = django_filters.ChoiceFilter(choices=OperatorRole.choices, label="Our role")
    deployment_status = django_filters.ChoiceFilter(choices=DeploymentStatus.choices, label="Deployment")
    criticality = django_filters.ChoiceFilter(choices=Criticality.choices)
    technique = django_filters.ChoiceFilter(choices=AITechnique.choices, method="filter_technique", label="Technique")
    review_due_before = django_filters.DateFilter(field_name="next_review", lookup_expr="lte", label="Review due by")
    mine = YesNoFilter(method="filter_mine", label="My systems")

    class Meta:
        model = AISystem
        fields = ["q", "lifecycle_stage", "eu_tier", "in_scope", "owner", "reassessment_required"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(reference__icontains=value)
            | Q(name__icontains=value)
            | Q(description__icontains=value)
            | Q(business_unit__icontains=value)
            | Q(tags__icontains=value)
        )

    def filter_owner(self, queryset, name, value):
        return queryset.filter(Q(business_owner=value) | Q(technical_owner=value)) if value else queryset

    def filter_technique(self, queryset, name, value):
        return queryset.filter(ai_techniques__regex=rf"(^|,){value}(,|$)") if value else queryset

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value and user is not None:
            return queryset.filter(Q(business_owner=user) | Q(technical_owner=user))
        return queryset


# --- AIMS scope, context issues and interested parties (clause 4) ---------------------------------------


class ScopeStatementFilterSet(OrganisationFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(choices=ScopeStatus.choices)
    version = django_filters.NumberFilter()

    class Meta:
        model = ScopeStatement
        fields = ["q", "status", "version"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(boundaries__icontains=value)
            | Q(units__icontains=value)
            | Q(locations__icontains=value)
            | Q(ai_roles__icontains=value)
            | Q(exclusions__icontains=value)
        )


class ContextIssueFilterSet(OrganisationFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    kind = django_filters.ChoiceFilter(choices=IssueKind.choices)
    owner = django_filters.ModelChoiceFilter(queryset=_members, label="Owner")
    review_due_before = django_filters.DateFilter(field_name="next_review", lookup_expr="lte", label="Review due by")

    class Meta:
        model = ContextIssue
        fields = ["q", "kind", "owner", "review_due_before"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(reference__icontains=value)
            | Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(effect_on_aims__icontains=value)
        )


class InterestedPartyFilterSet(OrganisationFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    kind = django_filters.ChoiceFilter(choices=IssueKind.choices)
    owner = django_filters.ModelChoiceFilter(queryset=_members, label="Owner")
    addressed = YesNoFilter(label="Addressed by the AIMS")

    class Meta:
        model = InterestedParty
        fields = ["q", "kind", "owner", "addressed"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(reference__icontains=value)
            | Q(name__icontains=value)
            | Q(requirements__icontains=value)
            | Q(how_addressed__icontains=value)
        )
