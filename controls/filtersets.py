"""FilterSets shared by the catalogue pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aims.filters import OrganisationFilterSet, YesNoFilter
from controls.constants import FrameworkKind, Origin, Relationship, RequirementKind
from controls.models import Framework, Requirement, RequirementMapping

# Labels of filters on fields whose model leaves the name to Django (see ``controls.forms.FIELD_LABELS``).
FILTER_LABELS = {
    "kind": _("Kind"),
    "relationship": _("Relationship"),
    "identifier": _("Identifier"),
    "phase": _("Phase"),
    "status": _("Status"),
    "framework": _("Framework"),
}


class LabelledFilterSet(OrganisationFilterSet):
    """Gives a translatable label to filters that would take theirs from an untranslatable field name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, filter_ in self.filters.items():
            if filter_._label is None and name in FILTER_LABELS:
                filter_.label = FILTER_LABELS[name]


def _origin(queryset, value):
    if value == Origin.SHIPPED:
        return queryset.filter(organisation__isnull=True)
    if value == Origin.OWN:
        return queryset.filter(organisation__isnull=False)
    return queryset


class FrameworkFilterSet(LabelledFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=FrameworkKind.choices)
    origin = django_filters.ChoiceFilter(choices=Origin.choices, method="filter_origin", label=_("Origin"))

    class Meta:
        model = Framework
        fields = ["q", "kind", "origin"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(key__icontains=value) | Q(publisher__icontains=value))

    def filter_origin(self, queryset, name, value):
        return _origin(queryset, value)


class RequirementFilterSet(LabelledFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    framework = django_filters.CharFilter(field_name="framework__key", label=_("Framework key"))
    kind = django_filters.ChoiceFilter(choices=RequirementKind.choices)
    identifier = django_filters.CharFilter(field_name="identifier", lookup_expr="iexact")
    parent = django_filters.UUIDFilter(field_name="parent_id", label=_("Parent (id)"))
    assessable = YesNoFilter(label=_("Assessable"))
    withdrawn = YesNoFilter(label=_("Withdrawn"))

    class Meta:
        model = Requirement
        fields = ["q", "framework", "kind", "identifier", "parent", "assessable", "withdrawn"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(identifier__icontains=value)
            | Q(title__icontains=value)
            | Q(guidance__icontains=value)
            | Q(statement__icontains=value)
        )


class MappingFilterSet(LabelledFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    framework = django_filters.CharFilter(method="filter_framework", label=_("Either framework (key)"))
    source_framework = django_filters.CharFilter(field_name="source__framework__key", label=_("Source framework (key)"))
    target_framework = django_filters.CharFilter(field_name="target__framework__key", label=_("Target framework (key)"))
    requirement = django_filters.UUIDFilter(method="filter_requirement", label=_("Either requirement (id)"))
    relationship = django_filters.ChoiceFilter(choices=Relationship.choices)
    origin = django_filters.ChoiceFilter(choices=Origin.choices, method="filter_origin", label=_("Origin"))

    class Meta:
        model = RequirementMapping
        fields = ["q", "framework", "source_framework", "target_framework", "requirement", "relationship", "origin"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(source__identifier__icontains=value)
            | Q(source__title__icontains=value)
            | Q(target__identifier__icontains=value)
            | Q(target__title__icontains=value)
            | Q(note__icontains=value)
        )

    def filter_framework(self, queryset, name, value):
        return queryset.filter(Q(source__framework__key=value) | Q(target__framework__key=value))

    def filter_requirement(self, queryset, name, value):
        return queryset.filter(Q(source_id=value) | Q(target_id=value))

    def filter_origin(self, queryset, name, value):
        return _origin(queryset, value)


class CrosswalkFilterSet(MappingFilterSet):
    """The crosswalk page picks its two frameworks itself; it filters the pairs by these."""

    class Meta(MappingFilterSet.Meta):
        fields = ["q", "relationship", "origin"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("framework", "source_framework", "target_framework", "requirement"):
            self.filters.pop(name, None)


# --- The pages' filter bars: the same filters, with frameworks picked from a list rather than typed -----


def _visible_frameworks(request):
    if request is None:
        return Framework.objects.none()
    return Framework.objects.visible_to(request.user, getattr(request, "organisation", None)).order_by("name")


class RequirementPageFilterSet(RequirementFilterSet):
    framework = django_filters.ModelChoiceFilter(queryset=_visible_frameworks, label=_("Framework"))

    class Meta(RequirementFilterSet.Meta):
        fields = ["q", "framework", "kind", "assessable", "withdrawn"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("identifier", "parent"):
            self.filters.pop(name, None)


class MappingPageFilterSet(MappingFilterSet):
    framework = django_filters.ModelChoiceFilter(
        queryset=_visible_frameworks, method="filter_framework_object", label=_("Framework (either end)")
    )

    class Meta(MappingFilterSet.Meta):
        fields = ["q", "framework", "relationship", "origin"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("source_framework", "target_framework", "requirement"):
            self.filters.pop(name, None)

    def filter_framework_object(self, queryset, name, value):
        return queryset.filter(Q(source__framework=value) | Q(target__framework=value)) if value else queryset
