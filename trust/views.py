"""Trust centre pages: the public page, its JSON and certificate, the concern form and status link; and inside
the product the page settings, the preview, the listing of each AI system and the concerns to triage."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.generic import TemplateView

from aims.crud import OrganisationViewMixin
from aims.forms import apply_service_error
from aims.permissions import can
from aims.services import ServiceError
from registry.models import AISystem
from trust import forms, protection, selectors, services
from trust.models import Concern, PublishedSystem, TrustPage

RECEIPT_KEY = "trust_concern_receipt"
MAX_BODY = 64 * 1024  # a concern is text: a larger request is refused before it is parsed


# --- Public -----------------------------------------------------------------------------------------------


def _public_page(slug):
    page = selectors.public_page_get(slug)
    if page is None:
        raise Http404
    return page


def _concern_form(page, data=None):
    form = forms.ConcernForm(data, systems=selectors.public_systems(page))
    if data is None:
        form.initial["form_token"] = protection.form_token(page.organisation)
    return form


def _render_public(request, page, view, *, preview=False, form=None, status=200):
    if form is None and page.accept_concerns:
        form = _concern_form(page)
    return render(
        request,
        "trust/public_page.html",
        {"page": page, "view": view, "preview": preview, "form": form},
        status=status,
    )


@never_cache
def public_page(request, slug):
    page = _public_page(slug)
    return _render_public(request, page, selectors.public_view(page))


def public_json(request, slug):
    page = _public_page(slug)
    return JsonResponse(selectors.public_view(page), json_dumps_params={"ensure_ascii": False})


def public_certificate(request, slug):
    page = _public_page(slug)
    if not (page.publish_certification and page.publish_certificate_file and page.certificate_file):
        raise Http404
    return FileResponse(page.certificate_file.open("rb"), content_type="application/pdf", filename="certificate.pdf")


def _submit(request, page, *, channel, reporter=None):
    """Shared by the public form and the in-product form: ``(form to show again, None)`` or ``(None, response)``."""
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
        return None, HttpResponse(_("The report is too large."), status=413, content_type="text/plain")
    if channel == Concern.Channel.PUBLIC and not protection.allow_submission(request, page.organisation):
        return None, render(request, "trust/throttled.html", {"page": page}, status=429)
    form = forms.ConcernForm(
        request.POST,
        systems=selectors.public_systems(page)
        if channel == "public"
        else AISystem.objects.filter(organisation=page.organisation),
    )
    if not form.is_valid():
        form.data = form.data.copy()
        form.data["form_token"] = request.POST.get("form_token", "")
        return form, None
    if form.cleaned_data.get("website"):  # checked before the token: a bot learns nothing from the answer
        # A bot filled the honeypot: answer as if accepted, record nothing, reveal nothing.
        request.session[RECEIPT_KEY] = {"reference": "", "status_url": ""}
        return None, redirect("trust:concern-thanks", page.slug)
    try:
        key = protection.check_form_token(form.cleaned_data["form_token"], page.organisation)
    except protection.TokenProblem:
        form.add_error(
            None, _("This form has expired or was sent too quickly. Please check your report and send it again.")
        )
        form.data = form.data.copy()
        form.data["form_token"] = protection.form_token(page.organisation)
        return form, None
    try:
        concern, status_token = services.concern_submit(
            organisation=page.organisation,
            data=form.cleaned_data,
            submission_key=key,
            channel=channel,
            reporter=reporter,
        )
    except ServiceError as exc:
        apply_service_error(form, exc)
        return form, None
    status_url = (
        request.build_absolute_uri(reverse("trust:concern-status", args=[status_token])) if status_token else ""
    )
    request.session[RECEIPT_KEY] = {"reference": concern.reference, "status_url": status_url}
    return None, redirect("trust:concern-thanks", page.slug)


@never_cache
@csrf_protect
def public_concern(request, slug):
    page = _public_page(slug)
    if not page.accept_concerns:
        raise Http404
    if request.method == "POST":
        form, response = _submit(request, page, channel=Concern.Channel.PUBLIC)
        if response is not None:
            return response
        return render(request, "trust/concern_form.html", {"page": page, "form": form}, status=400)
    return render(request, "trust/concern_form.html", {"page": page, "form": _concern_form(page)})


@never_cache
def concern_thanks(request, slug):
    page = _public_page(slug)
    receipt = request.session.pop(RECEIPT_KEY, None)
    if receipt is None:
        return redirect("trust:public", slug)
    return render(request, "trust/concern_thanks.html", {"page": page, "receipt": receipt})


@never_cache
def concern_status(request, token):
    concern = services.concern_by_status_token(token)
    if concern is None:
        raise Http404
    return render(request, "trust/concern_status.html", {"concern": concern})


# --- Inside the product -----------------------------------------------------------------------------------


class TrustSettingsView(OrganisationViewMixin, TemplateView):
    """The trust page's fields and flags, and each AI system's listing."""

    model = TrustPage

    def render_page(self, page, form):
        systems = AISystem.objects.filter(organisation=self.request.organisation).order_by("reference")
        listings = {p.ai_system_id: p for p in PublishedSystem.objects.filter(organisation=self.request.organisation)}
        rows = [(s, forms.ListingForm(instance=listings.get(s.pk), prefix=str(s.pk))) for s in systems]
        return render(
            self.request,
            "trust/settings.html",
            {
                "page": page,
                "form": form,
                "rows": rows,
                "can_change": self.allowed("change", page),
                "public_url": self.request.build_absolute_uri(reverse("trust:public", args=[page.slug])),
            },
        )

    def get(self, request, *args, **kwargs):
        self.require("view")
        page = services.trust_page_ensure(request.organisation, actor=request.user)
        return self.render_page(page, forms.TrustPageForm(instance=page, organisation=request.organisation))

    def post(self, request, *args, **kwargs):
        page = services.trust_page_ensure(request.organisation, actor=request.user)
        self.require("change", page)
        form = forms.TrustPageForm(request.POST, request.FILES, instance=page, organisation=request.organisation)
        if form.is_valid():
            try:
                with transaction.atomic():
                    data = {k: v for k, v in form.cleaned_data.items() if k != "certificate"}
                    services.trust_page_update(
                        actor=request.user,
                        page=TrustPage.objects.get(pk=page.pk),
                        data=data,
                        certificate=form.cleaned_data.get("certificate"),
                    )
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Trust page saved."))
                return redirect("trust:settings")
        return self.render_page(TrustPage.objects.get(pk=page.pk), form)


class ListingSaveView(OrganisationViewMixin, View):
    """Save what the trust page shows of one AI system (``pk`` is the AI system's)."""

    model = AISystem

    def post(self, request, *args, **kwargs):
        system = get_object_or_404(AISystem.objects.filter(organisation=request.organisation), pk=kwargs["pk"])
        if not can(request.user, "change", TrustPage, request.organisation):
            raise PermissionDenied
        form = forms.ListingForm(request.POST, prefix=str(system.pk))
        if form.is_valid():
            services.published_system_save(
                actor=request.user, organisation=request.organisation, ai_system=system, data=form.cleaned_data
            )
            messages.success(request, _("Listing of %(name)s saved.") % {"name": system.name})
        else:
            messages.error(request, _("The listing could not be saved."))
        return redirect(reverse("trust:settings") + "#systems")


class TrustPreviewView(OrganisationViewMixin, TemplateView):
    """Exactly what a visitor sees (the same template and data), published or not."""

    model = TrustPage

    def get(self, request, *args, **kwargs):
        self.require("view")
        page = services.trust_page_ensure(request.organisation, actor=request.user)
        return _render_public(request, page, selectors.public_view(page), preview=True)


class ConcernListView(OrganisationViewMixin, TemplateView):
    model = Concern

    def get(self, request, *args, **kwargs):
        self.require("view")
        concerns = Concern.objects.visible_to(request.user, request.organisation).select_related("ai_system")
        return render(request, "trust/concern_list.html", {"concerns": concerns})


class ConcernReportView(OrganisationViewMixin, TemplateView):
    """The link inside the product: any member reports a concern (optionally anonymously)."""

    model = Concern

    def page(self):
        return services.trust_page_ensure(self.request.organisation, actor=self.request.user)

    def get(self, request, *args, **kwargs):
        page = self.page()
        form = forms.ConcernForm(systems=AISystem.objects.filter(organisation=request.organisation))
        form.initial["form_token"] = protection.form_token(request.organisation)
        return render(request, "trust/concern_form.html", {"page": page, "form": form, "in_product": True})

    def post(self, request, *args, **kwargs):
        page = self.page()
        form, response = _submit(request, page, channel=Concern.Channel.PRODUCT, reporter=request.user)
        if response is not None:
            return response
        return render(request, "trust/concern_form.html", {"page": page, "form": form, "in_product": True}, status=400)


class ConcernDetailView(OrganisationViewMixin, TemplateView):
    model = Concern

    def get_object(self):
        return get_object_or_404(
            self.scoped_queryset().select_related("ai_system", "incident", "nonconformity", "risk"),
            pk=self.kwargs["pk"],
        )

    def render_page(self, concern, triage_form=None, message_form=None):
        return render(
            self.request,
            "trust/concern_detail.html",
            {
                "concern": concern,
                "can_change": self.allowed("change", concern),
                "triage_form": triage_form or forms.TriageForm(),
                "message_form": message_form
                or forms.ReporterMessageForm(initial={"message": concern.reporter_message}),
            },
        )

    def get(self, request, *args, **kwargs):
        return self.render_page(self.get_object())

    def post(self, request, *args, **kwargs):
        concern = self.get_object()
        self.require("change", concern)
        if request.POST.get("action") == "triage":
            form = forms.TriageForm(request.POST)
            if form.is_valid():
                try:
                    services.concern_triage(
                        actor=request.user,
                        concern=concern,
                        into=form.cleaned_data["into"],
                        note=form.cleaned_data["note"],
                    )
                except ServiceError as exc:
                    apply_service_error(form, exc)
                else:
                    messages.success(request, _("%(reference)s triaged.") % {"reference": concern.reference})
                    return redirect("trust:concern-detail", concern.pk)
            return self.render_page(concern, triage_form=form)
        form = forms.ReporterMessageForm(request.POST)
        if form.is_valid():
            try:
                services.concern_message_reporter(
                    actor=request.user,
                    concern=concern,
                    message=form.cleaned_data["message"],
                    close=form.cleaned_data["close"],
                )
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Message saved; the reporter sees it on their status page."))
                return redirect("trust:concern-detail", concern.pk)
        return self.render_page(concern, message_form=form)
