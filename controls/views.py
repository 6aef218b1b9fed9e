"""Catalogue pages: frameworks and their requirement trees, requirements with their links, own catalogues.

Thin: the generic register views read through ``visible_to`` (shipped rows plus the organisation's
own) and ask ``aims.permissions.can``, which refuses every change to a shipped row; services write.
"""

import uuid

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aims.crud import (
    Column,
    RegisterDeleteView,
    RegisterDetailView,
    RegisterFormView,
    RegisterListView,
    Tab,
)
from aims.exports import EXPORT_FORMATS, export_response
from aims.permissions import can
from aims.services import ServiceError
from controls import services
from controls.constants import RequirementKind
from controls.filtersets import FrameworkFilterSet, MappingPageFilterSet, RequirementPageFilterSet
from controls.forms import FrameworkForm, MappingForm, RequirementForm, RequirementImportForm
from controls.imports import TEMPLATE
from controls.models import Framework, Requirement, RequirementMapping
from controls.selectors import requirement_ancestors, requirement_links, requirement_tree

REQUIREMENT_EXPORT = [
    ("identifier", "identifier"),
    ("title", "title"),
    ("parent identifier", "parent.identifier"),
    ("guidance", "guidance"),
    ("kind", "kind"),
    ("assessable", "assessable"),
]


def as_uuid(value):
    """A UUID from a query parameter, or None (a malformed id is simply no id, never a 500)."""
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


# --- Frameworks --------------------------------------------------------------------------------------


class FrameworkMixin:
    model = Framework
    url_base = "controls:framework"

    def base_queryset(self):
        return Framework.objects.with_counts()


class FrameworkListView(FrameworkMixin, RegisterListView):
    title = _("Frameworks")
    template_name = "controls/framework_list.html"
    filterset_class = FrameworkFilterSet
    default_ordering = "name"
    columns = [
        Column("name", _("Framework"), sort="name", template="controls/cells/framework_name.html"),
        Column("key", _("Key"), sort="key"),
        Column("version", _("Version")),
        Column("publisher", _("Publisher"), sort="publisher"),
        Column("kind", _("Kind"), sort="kind"),
        Column("requirement_count", _("Requirements"), sort="requirement_count"),
        Column("assessable_count", _("Assessable"), sort="assessable_count"),
        Column("organisation", _("Origin"), template="controls/cells/origin.html"),
    ]
    export_fields = [
        ("Key", "key"),
        ("Name", "name"),
        ("Version", "version"),
        ("Publisher", "publisher"),
        ("Kind", "kind"),
        ("Requirements", "requirement_count"),
        ("Assessable", "assessable_count"),
        ("Shipped", "is_shipped"),
        ("Link", "url"),
    ]


def _prune(nodes, matches) -> list:
    """The tree cut down to matching requirements and their ancestors (so each match keeps its context)."""
    kept = []
    for node in nodes:
        children = _prune(node.children, matches)
        if children or matches(node.requirement):
            node.children = children
            kept.append(node)
    return kept


class FrameworkDetailView(FrameworkMixin, RegisterDetailView):
    template_name = "controls/framework_detail.html"
    tabs = [
        Tab("requirements", _("Requirements"), "controls/tabs/framework_requirements.html"),
        Tab("about", _("About"), "controls/tabs/framework_about.html"),
    ]

    def get(self, request, *args, **kwargs):
        export = request.GET.get("export")
        if export:
            framework = self.get_object()
            if export not in EXPORT_FORMATS:
                raise Http404
            self.require("export")
            rows = framework.requirements.select_related("parent").order_by("sort_order")
            return export_response(rows, REQUIREMENT_EXPORT, export, filename=f"{framework.key}-requirements")
        return super().get(request, *args, **kwargs)

    def tab_context(self, obj, tab_key):
        context = {
            "can_edit_requirements": not obj.is_shipped and self.allowed("change", obj),
            "export_formats": EXPORT_FORMATS,
        }
        if tab_key != "requirements":
            return context
        query = (self.request.GET.get("q") or "").strip().lower()
        kind = self.request.GET.get("kind") or ""
        tree = requirement_tree(obj, organisation=self.request.organisation)
        kinds = sorted({node.requirement.kind for node in _walk(tree)})
        if query or kind:

            def matches(requirement):
                text = f"{requirement.identifier} {requirement.title}".lower()
                return (not query or query in text) and (not kind or requirement.kind == kind)

            tree = _prune(tree, matches)
            context["match_count"] = sum(1 for node in _walk(tree) if matches(node.requirement))
        labels = dict(RequirementKind.choices)
        context.update(
            tree=tree,
            filtering=bool(query or kind),
            q=self.request.GET.get("q", ""),
            kind=kind,
            kind_choices=[(value, labels.get(value, value)) for value in kinds],
        )
        return context


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node.children)


class FrameworkFormView(FrameworkMixin, RegisterFormView):
    form_class = FrameworkForm

    def create(self, form):
        return services.framework_create(
            actor=self.request.user, organisation=self.request.organisation, data=form.service_data()
        )

    def update(self, obj, form):
        return services.framework_update(actor=self.request.user, framework=obj, data=form.service_data())


class FrameworkDeleteView(FrameworkMixin, RegisterDeleteView):
    def delete(self, obj):
        services.framework_delete(actor=self.request.user, framework=obj)


class FrameworkImportView(FrameworkMixin, RegisterDetailView):
    """Upload a CSV of requirements into an own framework; bad lines are listed and nothing is saved."""

    template_name = "controls/framework_import.html"

    def get(self, request, *args, **kwargs):
        framework = self.get_object()
        self.require("change", framework)
        if request.GET.get("template"):
            response = HttpResponse(TEMPLATE, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="requirements-template.csv"'
            return response
        return self.render_page(framework, RequirementImportForm())

    def post(self, request, *args, **kwargs):
        framework = self.get_object()
        self.require("change", framework)
        form = RequirementImportForm(request.POST, request.FILES)
        result = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = services.requirements_import(actor=request.user, framework=framework, content=upload.read())
            if result.ok:
                messages.success(
                    request,
                    gettext("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
                    % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
                )
                return redirect(self.url("detail", framework.pk))
        return self.render_page(framework, form, result, status=400 if result else 200)

    def render_page(self, framework, form, result=None, status=200):
        context = {**self.common_context(), "object": framework, "form": form, "result": result}
        return render(self.request, self.template_name, context, status=status)


# --- Requirements ------------------------------------------------------------------------------------


class RequirementMixin:
    model = Requirement
    url_base = "controls:requirement"

    def base_queryset(self):
        return Requirement.objects.select_related("framework", "parent")


class RequirementListView(RequirementMixin, RegisterListView):
    """Every requirement the organisation sees, across frameworks: find "logging" in all of them."""

    title = _("Requirements in all frameworks")
    filterset_class = RequirementPageFilterSet
    default_ordering = "framework__name"
    columns = [
        Column("framework", _("Framework"), sort="framework__name"),
        Column("identifier", _("Identifier"), sort="identifier", template="controls/cells/requirement_identifier.html"),
        Column("title", _("Title"), sort="title"),
        Column("kind", _("Kind"), sort="kind"),
        Column("assessable", _("Assessable"), template="controls/cells/yes_no.html"),
        Column("mapping_count", _("Mappings"), sort="mapping_count"),
    ]
    export_fields = [
        ("Framework", "framework.key"),
        ("Identifier", "identifier"),
        ("Title", "title"),
        ("Parent identifier", "parent.identifier"),
        ("Kind", "kind"),
        ("Assessable", "assessable"),
        ("Withdrawn", "withdrawn"),
        ("Guidance", "guidance"),
    ]

    def base_queryset(self):
        return super().base_queryset().with_mapping_counts(self.request.organisation)

    def ordering(self):
        ordering = super().ordering()
        return [*ordering[:-1], "sort_order", "pk"] if ordering[0] == "framework__name" else ordering

    def common_context(self):
        # Requirements are added inside a framework, never from this list.
        return {**super().common_context(), "can_add": False}


class RequirementDetailView(RequirementMixin, RegisterDetailView):
    template_name = "controls/requirement_detail.html"
    tabs = [
        Tab("overview", _("Overview"), "controls/tabs/requirement_overview.html"),
        Tab("controls", _("Controls and evidence"), "controls/tabs/requirement_controls.html"),
    ]

    def tab_context(self, obj, tab_key):
        if tab_key == "controls":
            from controls.tabs import requirement_controls_tab

            return {"ancestors": requirement_ancestors(obj), **requirement_controls_tab(self.request, obj)}
        context = {
            "ancestors": requirement_ancestors(obj),
            "can_add_mapping": can(self.request.user, "add", RequirementMapping, self.request.organisation),
        }
        if tab_key == "overview":
            context["children"] = list(obj.children.order_by("sort_order"))
            context["link_groups"] = requirement_links(
                obj, user=self.request.user, organisation=self.request.organisation
            )
        return context


class RequirementFormView(RequirementMixin, RegisterFormView):
    """Edit a requirement of an own framework (new ones are added through ``RequirementCreateView``)."""

    form_class = RequirementForm

    def update(self, obj, form):
        return services.requirement_update(actor=self.request.user, requirement=obj, data=form.service_data())


class RequirementCreateView(FrameworkMixin, RegisterFormView):
    """Add a requirement to the own framework in the URL."""

    form_class = RequirementForm
    template_name = "controls/requirement_form.html"

    def framework(self):
        if not hasattr(self, "_framework"):
            self._framework = get_object_or_404(self.scoped_queryset(), pk=self.kwargs["pk"])
        return self._framework

    def get_object(self):
        return None

    def require(self, action, obj=None):
        # Adding a requirement changes the framework: its owner or an officer, never a shipped one.
        super().require("change", self.framework())

    def get_form(self, obj, data=None, files=None):
        initial = {}
        parent = as_uuid(self.request.GET.get("parent"))
        if parent:
            initial["parent"] = Requirement.objects.filter(framework=self.framework(), pk=parent).first()
        return RequirementForm(
            data, files, organisation=self.request.organisation, framework=self.framework(), initial=initial
        )

    def render_form(self, form, obj, version=None):
        context = {**self.common_context(), "form": form, "object": None, "framework": self.framework()}
        return render(self.request, self.template_name, context)

    def create(self, form):
        return services.requirement_create(
            actor=self.request.user, framework=self.framework(), data=form.service_data()
        )

    def success_url(self, obj):
        return reverse("controls:requirement-detail", args=[obj.pk])


class RequirementDeleteView(RequirementMixin, RegisterDeleteView):
    def post(self, request, *args, **kwargs):
        requirement = get_object_or_404(self.scoped_queryset(), pk=kwargs["pk"])
        self.require("delete", requirement)
        try:
            with transaction.atomic():
                services.requirement_delete(actor=request.user, requirement=requirement)
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.url("detail", requirement.pk))
        messages.success(request, gettext("%(requirement)s deleted.") % {"requirement": requirement})
        return redirect("controls:framework-detail", requirement.framework_id)


# --- Own mappings ------------------------------------------------------------------------------------


class MappingMixin:
    model = RequirementMapping
    url_base = "controls:mapping"

    def base_queryset(self):
        return RequirementMapping.objects.with_ends()


class MappingListView(MappingMixin, RegisterListView):
    title = _("Requirement mappings")
    filterset_class = MappingPageFilterSet
    default_ordering = "source__framework__name"
    columns = [
        Column("source", _("From"), sort="source__identifier", template="controls/cells/mapping_source.html"),
        Column("relationship", _("Relationship"), sort="relationship"),
        Column("target", _("To"), sort="target__identifier", template="controls/cells/mapping_target.html"),
        Column("source_label", _("Source"), template="controls/cells/mapping_origin.html"),
        Column("id", "", template="controls/cells/mapping_link.html"),
    ]
    export_fields = [
        ("From framework", "source.framework.key"),
        ("From", "source.identifier"),
        ("From title", "source.title"),
        ("Relationship", "relationship"),
        ("To framework", "target.framework.key"),
        ("To", "target.identifier"),
        ("To title", "target.title"),
        ("Source", "origin_label"),
        ("Source link", "source_url"),
        ("Note", "note"),
    ]

    def ordering(self):
        ordering = super().ordering()
        if ordering[0] == "source__framework__name":
            return ["source__framework__name", "source__sort_order", "target__framework__name", "target__sort_order"]
        return ordering


class MappingDetailView(MappingMixin, RegisterDetailView):
    template_name = "controls/mapping_detail.html"
    tabs = [Tab("overview", _("Overview"), "controls/tabs/mapping_overview.html")]


class MappingFormView(MappingMixin, RegisterFormView):
    form_class = MappingForm

    def get_form(self, obj, data=None, files=None):
        source = None
        source_id = as_uuid(self.request.GET.get("source"))
        if obj is None and source_id:
            source = (
                Requirement.objects.visible_to(self.request.user, self.request.organisation)
                .filter(pk=source_id)
                .select_related("framework")
                .first()
            )
        return MappingForm(data, files, instance=obj, organisation=self.request.organisation, initial_source=source)

    def create(self, form):
        return services.mapping_create(
            actor=self.request.user, organisation=self.request.organisation, data=form.service_data()
        )

    def update(self, obj, form):
        return services.mapping_update(actor=self.request.user, mapping=obj, data=form.service_data())

    def success_url(self, obj):
        return reverse("controls:requirement-detail", args=[obj.source_id])


class MappingDeleteView(MappingMixin, RegisterDeleteView):
    def delete(self, obj):
        services.mapping_delete(actor=self.request.user, mapping=obj)
