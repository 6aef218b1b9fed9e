"""Pieces shared by the risk pages: detail pages that can be re-rendered with a bound form, and POST-only
actions on one record (score, accept, close, approve...) that call one service."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views import View

from aims.crud import OrganisationViewMixin, RegisterDetailView
from aims.forms import apply_service_error
from aims.history import history_entries
from aims.services import ServiceError


class FormsDetailView(RegisterDetailView):
    """A register detail page whose tabs hold small forms; an action that fails re-renders the page with the
    bound form and its errors (nothing saved), instead of losing the input."""

    def get(self, request, *args, **kwargs):
        return self.render_detail(self.get_object(), request.GET.get("tab"))

    def render_detail(self, obj, tab_key: str | None, bound_forms: dict | None = None, status: int = 200):
        request = self.request
        tabs = self.all_tabs()
        tab = next((t for t in tabs if t.key == tab_key), tabs[0])
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
        context.update(self.page_context(obj))
        context.update(self.tab_context(obj, tab.key))
        context.update(bound_forms or {})
        for _, extra_tab, provider in self.extra_tabs():
            if extra_tab.key == tab.key and provider is not None:
                context.update(provider(request, obj))
        template = tab.template if request.htmx and request.GET.get("partial") == "tab" else self.template_name
        return render(request, template, context, status=status)

    def page_context(self, obj) -> dict:
        """Context every tab needs (the header's badges and actions)."""
        return {}


class ObjectActionView(OrganisationViewMixin, View):
    """POST only: find the record in the organisation (404 otherwise), check ``permission_action`` (403),
    validate ``form_class``, call ``perform``. A refusal re-renders ``detail_view`` on ``tab`` with the errors."""

    http_method_names = ["post"]
    permission_action = "change"
    form_class = None
    form_key = "form"  # the context name the detail tab reads the bound form from
    detail_view = None
    tab = None

    def get_object(self):
        return get_object_or_404(self.scoped_queryset(), pk=self.kwargs["pk"])

    def get_form(self, obj, data):
        return self.form_class(data) if self.form_class else None

    def perform(self, obj, form):
        raise NotImplementedError

    def success_message(self, obj, result) -> str:
        return ""

    def success_url(self, obj, result) -> str:
        return self.url("detail", obj.pk) + (f"?tab={self.tab}" if self.tab else "")

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        self.require(self.permission_action, obj)
        form = self.get_form(obj, request.POST)
        if form is None or form.is_valid():
            try:
                with transaction.atomic():
                    result = self.perform(obj, form)
            except ServiceError as exc:
                if form is None:
                    messages.error(request, " ".join(exc.messages))
                    return redirect(self.success_url(obj, None))
                apply_service_error(form, exc)
            except PermissionDenied:
                raise
            else:
                message = self.success_message(obj, result)
                if message:
                    messages.success(request, message)
                return redirect(self.success_url(obj, result))
        return self.invalid(obj, form)

    def invalid(self, obj, form):
        if self.detail_view is None:
            errors = " ".join(str(e) for errs in form.errors.values() for e in errs)
            messages.error(self.request, errors or gettext("The change was refused."))
            return redirect(self.success_url(obj, None))
        view = self.detail_view()
        view.setup(self.request, **self.kwargs)
        # Re-read the record: a refused service may have changed the instance in memory before refusing.
        return view.render_detail(self.fresh(view, obj), self.tab, {self.form_key: form})

    def fresh(self, view, obj):
        return view.get_object()
