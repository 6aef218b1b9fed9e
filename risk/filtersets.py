"""FilterSets shared by the risk pages and the API."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from aims.filters import OrganisationFilterSet, YesNoFilter
from registry.models import AISystem
from risk import annex_c
from risk.constants import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    AssessmentStatus,
    CriteriaStatus,
    ImpactStatus,
    RiskCategory,
    RiskLevel,
    RiskStatus,
    RiskType,
    TreatmentOption,
)
from risk.models import ImpactAssessment, Risk, RiskAssessment, RiskCriteria, TreatmentAction
from risk.querysets import current_level_q
from risk.schema import choice_schema


def _members(request):
    from accounts.models import User

    return User.objects.filter(memberships__organisation=getattr(request, "organisation", None)).order_by("username")


def _systems(request):
    return AISystem.objects.filter(organisation=getattr(request, "organisation", None)).order_by("reference")


@extend_schema_field(OpenApiTypes.UUID)
class SystemChoiceFilter(django_filters.ModelChoiceFilter):
    """An AI system of the request's organisation, by id; shown by reference and name on the pages."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", _systems)
        kwargs.setdefault("label", "AI system")
        super().__init__(*args, **kwargs)


def _choice_filter(choices, **kwargs) -> django_filters.ChoiceFilter:
    """A choice filter documented by pattern (see ``risk.api.serializers.choice_schema``): ``level`` and
    ``status`` name different choice sets in different registers."""
    values = list(choices)
    filter_class = extend_schema_field(choice_schema(values))(
        type("PatternChoiceFilter", (django_filters.ChoiceFilter,), {})
    )
    return filter_class(choices=values, **kwargs)


class RiskFilterSet(OrganisationFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    system = SystemChoiceFilter(method="filter_system")
    level = _choice_filter(RiskLevel.choices, method="filter_level", label=_("Level"))
    status = _choice_filter(RiskStatus.choices, label=_("Status"))
    owner = django_filters.ModelChoiceFilter(queryset=_members, label=_("Owner"))
    source = django_filters.ChoiceFilter(
        choices=annex_c.risk_source_choices(), field_name="risk_source", label=_("Risk source")
    )
    category = django_filters.ChoiceFilter(choices=RiskCategory.choices, label=_("Category"))
    risk_type = django_filters.ChoiceFilter(choices=RiskType.choices, label=_("Type"))
    objective = _choice_filter(annex_c.objective_choices(), method="filter_objective", label=_("Objective"))
    overdue = YesNoFilter(method="filter_overdue", label=_("Overdue"))
    open = YesNoFilter(method="filter_open", label=_("Open"))
    treatment_option = django_filters.ChoiceFilter(choices=TreatmentOption.choices, label=_("Treatment"))
    inherent_level = _choice_filter(RiskLevel.choices, label=_("Inherent level"))
    residual_level = _choice_filter(RiskLevel.choices, label=_("Residual level"))
    # Heat-map cells link here; hidden from the filter bar (see ``HIDDEN_ON_PAGE``).
    inherent_likelihood = django_filters.NumberFilter()
    inherent_impact = django_filters.NumberFilter()
    residual_likelihood = django_filters.NumberFilter()
    residual_impact = django_filters.NumberFilter()
    likelihood = django_filters.NumberFilter(method="filter_current_likelihood", label=_("Current likelihood"))
    impact = django_filters.NumberFilter(method="filter_current_impact", label=_("Current impact"))

    HIDDEN_ON_PAGE = (
        "inherent_likelihood",
        "inherent_impact",
        "residual_likelihood",
        "residual_impact",
        "likelihood",
        "impact",
        "inherent_level",
        "residual_level",
        "treatment_option",
        "objective",
        "risk_type",
        "open",
    )

    class Meta:
        model = Risk
        fields = ["q", "system", "level", "status", "owner", "source", "category", "overdue"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(reference__icontains=value)
            | Q(title__icontains=value)
            | Q(cause__icontains=value)
            | Q(event__icontains=value)
            | Q(consequence__icontains=value)
        )

    def filter_system(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=Risk.ai_systems.through.objects.filter(aisystem=value).values("risk_id"))

    def filter_level(self, queryset, name, value):
        return queryset.filter(current_level_q(value)) if value else queryset

    def filter_objective(self, queryset, name, value):
        return queryset.filter(objectives__regex=rf"(^|,){value}(,|$)") if value else queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        late_action = TreatmentAction.objects.filter(
            risk=OuterRef("pk"), status__in=OPEN_ACTION_STATUSES, due_date__lt=today
        )
        overdue = ~Q(status=RiskStatus.CLOSED) & (Q(next_review__lt=today) | Exists(late_action))
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(status=RiskStatus.CLOSED) if value else queryset.filter(status=RiskStatus.CLOSED)

    def filter_current_likelihood(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(
            Q(residual_likelihood=value) | Q(residual_likelihood__isnull=True, inherent_likelihood=value)
        )

    def filter_current_impact(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(Q(residual_impact=value) | Q(residual_impact__isnull=True, inherent_impact=value))


class TreatmentActionFilterSet(OrganisationFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = _choice_filter(ActionStatus.choices, label=_("Status"))
    owner = django_filters.ModelChoiceFilter(queryset=_members, label=_("Owner"))
    system = SystemChoiceFilter(method="filter_system")
    overdue = YesNoFilter(method="filter_overdue", label=_("Overdue"))
    risk = django_filters.CharFilter(field_name="risk__reference", label=_("Risk reference"))

    class Meta:
        model = TreatmentAction
        fields = ["q", "status", "owner", "system", "overdue"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(reference__icontains=value)
            | Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(risk__reference__icontains=value)
            | Q(risk__title__icontains=value)
        )

    def filter_system(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(risk__in=Risk.ai_systems.through.objects.filter(aisystem=value).values("risk_id"))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Q(status__in=OPEN_ACTION_STATUSES, due_date__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class RiskAssessmentFilterSet(OrganisationFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    system = SystemChoiceFilter(method="filter_system")
    status = _choice_filter(AssessmentStatus.choices, label=_("Status"))
    owner = django_filters.ModelChoiceFilter(queryset=_members, label=_("Lead assessor"))
    date_from = django_filters.DateFilter(field_name="assessment_date", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="assessment_date", lookup_expr="lte", label=_("To"))

    class Meta:
        model = RiskAssessment
        fields = ["q", "system", "status", "owner"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(reference__icontains=value) | Q(title__icontains=value) | Q(scope__icontains=value))

    def filter_system(self, queryset, name, value):
        if not value:
            return queryset
        through = RiskAssessment.ai_systems.through
        return queryset.filter(pk__in=through.objects.filter(aisystem=value).values("riskassessment_id"))


class ImpactAssessmentFilterSet(OrganisationFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    system = SystemChoiceFilter(field_name="ai_system")
    status = _choice_filter(ImpactStatus.choices, label=_("Status"))
    owner = django_filters.ModelChoiceFilter(queryset=_members, label=_("Assessor"))
    is_dpia = YesNoFilter(label=_("Also a DPIA"))
    is_fria = YesNoFilter(label=_("Includes a FRIA"))
    due = YesNoFilter(method="filter_due", label=_("Due"))

    class Meta:
        model = ImpactAssessment
        fields = ["q", "system", "status", "owner", "is_dpia", "is_fria", "due"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(reference__icontains=value)
            | Q(ai_system__name__icontains=value)
            | Q(ai_system__reference__icontains=value)
            | Q(conclusion__icontains=value)
        )

    def filter_due(self, queryset, name, value):
        """Approved versions in force whose system needs reassessment or whose review date has passed."""
        if value is None:
            return queryset
        due = Q(status=ImpactStatus.APPROVED) & (
            Q(ai_system__reassessment_required=True) | Q(next_review__lt=timezone.localdate())
        )
        return queryset.filter(due) if value else queryset.exclude(due)


class RiskCriteriaFilterSet(OrganisationFilterSet):
    status = _choice_filter(CriteriaStatus.choices, label=_("Status"))
    version = django_filters.NumberFilter(label=_("Version"))

    class Meta:
        model = RiskCriteria
        fields = ["status", "version"]
