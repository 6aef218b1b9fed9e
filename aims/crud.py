"""Generic register pages: list (filters, search, sort, pagination, export), detail with tabs,
create/edit through a service, delete, and the History tab.

Every register of every app uses these, so pages look and behave alike and permission checks live in
one place: reads start from ``Model.objects.visible_to(user, organisation)`` (another organisation's
object is a 404) and every write asks ``aims.permissions.can`` (a role that may not is a 403).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from aims.concurrency import VERSION_FIELD, lock_row, object_version
from aims.exports import EXPORT_FORMATS, export_response
from aims.forms import apply_service_error
from aims.history import history_entries
from aims.permissions import can
from aims.services import ServiceError, delete_with_history

PAGE_SIZES = (25, 50, 100, 200)
CONCURRENT_EDIT_MESSAGE = _(
    "Someone else changed this record while you were editing it, so nothing was saved. "
    "Open it again (in another tab) to see their change, then make yours."
)


def _too_many_exports(request):
    from django.shortcuts import render

    response = render(request, "aims/too_many_exports.html", status=429)
    response["Retry-After"] = "60"
    return response


@dataclass(frozen=True)
class Column:
    """A list column: ``field`` for sorting/export, ``label``, and an optional cell template."""

    field: str
    label: str
    sort: str | None = None  # ORM ordering expression; None = not sortable
    template: str | None = None


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    template: str


# Tabs that higher apps add to a lower app's detail page (risk adds "Risks" to an AI system) without
# the lower app importing them: {model label: [(order, Tab, context provider(request, obj) -> dict)]}.
_EXTRA_TABS: dict[str, list[tuple[int, Tab, object]]] = {}


def register_tab(model_label: str, tab: Tab, context_provider=None, *, order: int = 50) -> None:
    tabs = _EXTRA_TABS.setdefault(model_label, [])
    if all(existing.key != tab.key for _, existing, _ in tabs):
        tabs.append((order, tab, context_provider))
        tabs.sort(key=lambda item: item[0])


class OrganisationViewMixin(LoginRequiredMixin):
    """Resolves the organisation and checks the role for ``permission_action`` on ``model``."""

    model = None
    permission_action = "view"
    # URL names, e.g. "registry:aisystem" → "registry:aisystem-list", "-detail", "-create", ...
    url_base: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.organisation is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def base_queryset(self):
        """Override to declare ``select_related``/``prefetch_related`` for the page."""
        return self.model.objects.all()

    def scoped_queryset(self):
        return self.base_queryset().visible_to(self.request.user, self.request.organisation)

    def allowed(self, action, obj=None) -> bool:
        return can(self.request.user, action, obj if obj is not None else self.model, self.request.organisation)

    def require(self, action, obj=None) -> None:
        if not self.allowed(action, obj):
            raise PermissionDenied

    def url(self, suffix, *args) -> str:
        return reverse(f"{self.url_base}-{suffix}", args=args)

    def common_context(self) -> dict:
        meta = self.model._meta
        return {
            "verbose_name": meta.verbose_name,
            "verbose_name_plural": meta.verbose_name_plural,
            "url_base": self.url_base,
            "can_add": self.allowed("add"),
            "can_export": self.allowed("export"),
        }


class RegisterListView(OrganisationViewMixin, TemplateView):
    """A filterable, sortable, paginated register with CSV/XLSX/JSON export of the filtered rows."""

    template_name = "aims/crud/list.html"
    table_template = "aims/crud/table.html"
    filterset_class = None
    columns: list[Column] = []
    default_ordering = "reference"
    export_fields: list[tuple[str, str]] = []  # (header, attribute path or callable name)
    title: str | None = None

    def filtered(self):
        queryset = self.scoped_queryset()
        filterset = self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)
        rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
        return filterset, rows.order_by(*self.ordering())

    def ordering(self) -> list[str]:
        sort = self.request.GET.get("sort", "")
        allowed = {c.field: c.sort for c in self.columns if c.sort}
        descending = sort.startswith("-")
        key = sort.lstrip("-")
        if key in allowed:
            expr = allowed[key]
            return [f"-{expr}" if descending else expr, "pk"]
        return [self.default_ordering, "pk"]

    def get(self, request, *args, **kwargs):
        filterset, rows = self.filtered()
        export = request.GET.get("export")
        if export:
            if export not in EXPORT_FORMATS:
                raise Http404
            self.require("export")
            from aims.api.safety import export_allowed

            if not export_allowed(request):
                return _too_many_exports(request)
            return export_response(rows, self.export_fields, export, filename=self.model._meta.model_name)
        try:
            page_size = int(request.GET.get("page_size", 50))
        except ValueError:
            page_size = 50
        page_size = page_size if page_size in PAGE_SIZES else 50
        page = Paginator(rows, page_size).get_page(request.GET.get("page"))
        context = {
            **self.common_context(),
            "title": self.title or self.model._meta.verbose_name_plural.capitalize(),
            "filter": filterset,
            "page_obj": page,
            "rows": page.object_list,
            "columns": self.columns,
            "sort": request.GET.get("sort", ""),
            "page_sizes": PAGE_SIZES,
            "page_size": page_size,
            "table_template": self.table_template,
            "export_formats": EXPORT_FORMATS,
            **self.extra_context_data(),
        }
        template = self.table_template if request.htmx and not request.htmx.boosted else self.template_name
        return self.render_to_response(context, template_name=template)

    def render_to_response(self, context, template_name=None, **kwargs):
        from django.shortcuts import render

        return render(self.request, template_name or self.template_name, context)

    def extra_context_data(self) -> dict:
        return {}


class RegisterDetailView(OrganisationViewMixin, TemplateView):
    """One record with tabs (overview, related registers..., history)."""

    template_name = "aims/crud/detail.html"
    tabs: list[Tab] = []

    def get_object(self):
        return get_object_or_404(self.scoped_queryset(), pk=self.kwargs["pk"])

    def extra_tabs(self):
        return _EXTRA_TABS.get(self.model._meta.label_lower, [])

    def all_tabs(self) -> list[Tab]:
        extra = [tab for _order, tab, _provider in self.extra_tabs()]
        return [*self.tabs, *extra, Tab("history", _("History"), "aims/partials/history.html")]

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        tabs = self.all_tabs()
        current = request.GET.get("tab", tabs[0].key)
        tab = next((t for t in tabs if t.key == current), tabs[0])
        context = {
            **self.common_context(),
            "object": obj,
            "tabs": tabs,
            "tab": tab,
            "can_change": self.allowed("change", obj),
            "can_delete": self.allowed("delete", obj),
            "can_approve": self.allowed("approve", obj),
        }
        if tab.key == "history":
            context["history"] = history_entries(obj)
        context.update(self.tab_context(obj, tab.key))
        for _order, extra_tab, provider in self.extra_tabs():
            if extra_tab.key == tab.key and provider is not None:
                context.update(provider(request, obj))
        from django.shortcuts import render

        if request.htmx and request.GET.get("partial") == "tab":
            return render(request, tab.template, context)
        return render(request, self.template_name, context)

    def tab_context(self, obj, tab_key: str) -> dict:
        return {}


class RegisterFormView(OrganisationViewMixin, TemplateView):
    """Create (no ``pk``) or edit a record. The form validates input; the service applies the change."""

    template_name = "aims/crud/form.html"
    form_class = None
    # The register's services: ``create_service(actor=, organisation=, data=)`` and
    # ``update_service(actor=, <object_kwarg>=obj, data=)``. Wrap them in staticmethod().
    create_service = None
    update_service = None
    object_kwarg = ""

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(self.scoped_queryset(), pk=self.kwargs["pk"])

    def get_form(self, obj, data=None, files=None):
        return self.form_class(data, files, instance=obj, organisation=self.request.organisation)

    def create(self, form):
        return self.create_service(
            actor=self.request.user, organisation=self.request.organisation, data=form.service_data()
        )

    def update(self, obj, form):
        return self.update_service(actor=self.request.user, data=form.service_data(), **{self.object_kwarg: obj})

    def version_context(self, obj, version=None) -> dict:
        """The hidden version field's context for a form editing ``obj`` (nothing for a new record)."""
        if obj is None:
            return {}
        return {"version": version or object_version(obj), "version_field": VERSION_FIELD}

    def render_form(self, form, obj, version=None):
        from django.shortcuts import render

        context = {**self.common_context(), "form": form, "object": obj, **self.version_context(obj, version)}
        return render(self.request, self.template_name, context)

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        self.require("change" if obj else "add", obj)
        return self.render_form(self.get_form(obj), obj)

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        self.require("change" if obj else "add", obj)
        # A ModelForm writes the submitted values onto its instance while validating; give it a copy so the
        # service receives the stored record and can tell what changed.
        form = self.get_form(copy.deepcopy(obj) if obj else None, request.POST, request.FILES)
        # The version the person started from (a hidden field): a record changed meanwhile is not overwritten.
        version = request.POST.get(VERSION_FIELD) if obj else None
        if version and version != object_version(obj):
            form.is_valid()
            form.add_error(None, CONCURRENT_EDIT_MESSAGE)
            return self.render_form(form, obj, version=version)
        if form.is_valid():
            try:
                with transaction.atomic():
                    if obj:
                        lock_row(type(obj), obj.pk)  # racing saves queue here; each sees the other's change
                        obj = self.get_object()
                        if version and version != object_version(obj):
                            form.add_error(None, CONCURRENT_EDIT_MESSAGE)
                            return self.render_form(form, obj, version=version)
                    saved = self.update(obj, form) if obj else self.create(form)
            except ValidationError as exc:  # ServiceError, or a model check in full_clean()
                apply_service_error(form, exc)
            else:
                messages.success(request, gettext("%(record)s saved.") % {"record": saved})
                return redirect(self.success_url(saved))
        return self.render_form(form, obj, version=version)

    def success_url(self, obj) -> str:
        return self.url("detail", obj.pk)


class RegisterDeleteView(OrganisationViewMixin, View):
    """POST only: deletes through the register's ``delete_service(actor=, <object_kwarg>=obj)``, or the
    history helper when it has none, so the deletion is attributed."""

    delete_service = None
    object_kwarg = ""

    def post(self, request, *args, **kwargs):
        obj = get_object_or_404(self.scoped_queryset(), pk=kwargs["pk"])
        self.require("delete", obj)
        try:
            with transaction.atomic():
                self.delete(obj)
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.url("detail", obj.pk))
        messages.success(request, gettext("%(record)s deleted.") % {"record": obj})
        return redirect(self.url("list"))

    def delete(self, obj) -> None:
        if self.delete_service is not None:
            self.delete_service(actor=self.request.user, **{self.object_kwarg: obj})
        else:
            delete_with_history(obj, actor=self.request.user, reason="Deleted in the web interface")


def register_urls(prefix: str, name: str, *, list_view, detail_view, form_view, delete_view) -> list:
    """The five URL patterns every register has: list, create, detail, update, delete."""
    from django.urls import path

    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}-list"),
        path(f"{prefix}/new/", form_view.as_view(), name=f"{name}-create"),
        path(f"{prefix}/<uuid:pk>/", detail_view.as_view(), name=f"{name}-detail"),
        path(f"{prefix}/<uuid:pk>/edit/", form_view.as_view(), name=f"{name}-update"),
        path(f"{prefix}/<uuid:pk>/delete/", delete_view.as_view(), name=f"{name}-delete"),
    ]
