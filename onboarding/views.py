"""Pages of the guided setup, organisation creation and the document-template library. Thin: forms parse,
``onboarding.services`` (and the registers' own services) write, ``onboarding.selectors`` read."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext, ngettext
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.generic import TemplateView

from accounts.middleware import SESSION_KEY
from aims.crud import OrganisationViewMixin
from aims.forms import apply_service_error
from aims.permissions import can
from aims.services import ServiceError
from controls.markdown import render_markdown
from controls.models import RoadmapAction
from controls.selectors_roadmap import roadmap_by_phase
from onboarding import forms, selectors, services
from onboarding.models import DocumentTemplate, GapAnswer, SetupProgress
from registry import services as registry_services
from registry.models import AISystem, InterestedParty, ScopeStatement
from registry.views_classification import AISystemClassifyView
from trust import protection


class SetupMixin(OrganisationViewMixin):
    """Every setup page: a member who may run the setup (administrator or officer), else 403."""

    model = SetupProgress

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.organisation is not None:
            self.check_object()  # another organisation's record is a 404 for every role, before any 403
            if not selectors.may_run_setup(request.user, request.organisation):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def check_object(self) -> None:
        pass

    def setup_context(self, current: str) -> dict:
        organisation = self.request.organisation
        readiness = selectors.certification_readiness(user=self.request.user, organisation=organisation)
        steps = selectors.setup_steps(user=self.request.user, organisation=organisation, readiness=readiness)
        done = sum(1 for s in steps if s.done)
        return {
            "steps": steps,
            "current_step": current,
            "steps_done": done,
            "readiness": readiness,
            "progress": services.setup_progress(organisation, actor=self.request.user),
        }

    def page(self, template: str, current: str, **context):
        return render(self.request, template, {**self.setup_context(current), **context})


class SetupOverviewView(SetupMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        return self.page("onboarding/setup.html", "overview", title=gettext("Guided setup"))


class ScopeStepView(SetupMixin, TemplateView):
    """Step 1: the AIMS scope (units, AI roles) and the interested parties (clauses 4.1–4.3)."""

    def forms(self, data=None):
        organisation = self.request.organisation
        scope = ScopeStatement.objects.filter(organisation=organisation).order_by("-version").first()
        initial = {}
        if scope is not None:
            initial = {n: getattr(scope, n) for n in ("boundaries", "units", "ai_roles", "locations")}
        action = (data or {}).get("action")
        scope_form = forms.ScopeForm(data if action == "scope" else None, initial=initial, prefix="scope")
        party_form = forms.SetupPartyForm(
            data if action == "party" else None, organisation=organisation, prefix="party"
        )
        return scope, scope_form, party_form

    def render_step(self, scope, scope_form, party_form):
        parties = InterestedParty.objects.filter(organisation=self.request.organisation).order_by("reference")
        return self.page(
            "onboarding/step_scope.html",
            "scope",
            title=gettext("Scope and context"),
            scope=scope,
            scope_form=scope_form,
            party_form=party_form,
            parties=parties,
        )

    def get(self, request, *args, **kwargs):
        return self.render_step(*self.forms())

    def post(self, request, *args, **kwargs):
        scope, scope_form, party_form = self.forms(request.POST)
        action = request.POST.get("action")
        form = scope_form if action == "scope" else party_form
        if action in ("scope", "party") and form.is_valid():
            try:
                with transaction.atomic():
                    if action == "scope":
                        services.scope_save(
                            actor=request.user, organisation=request.organisation, data=form.cleaned_data
                        )
                        messages.success(request, gettext("Scope saved as a draft."))
                    else:
                        party = registry_services.interested_party_create(
                            actor=request.user, organisation=request.organisation, data=form.service_data()
                        )
                        messages.success(
                            request,
                            gettext("%(reference)s %(name)s added.")
                            % {"reference": party.reference, "name": party.name},
                        )
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                return redirect("onboarding:scope")
        return self.render_step(scope, scope_form, party_form)


class SystemsStepView(SetupMixin, TemplateView):
    """Step 2: the first AI systems (a short form here; the CSV import for many)."""

    def render_step(self, form):
        systems = AISystem.objects.filter(organisation=self.request.organisation).order_by("reference")
        return self.page(
            "onboarding/step_systems.html",
            "systems",
            title=gettext("First AI systems"),
            form=form,
            systems=systems,
            can_import=can(self.request.user, "add", AISystem, self.request.organisation),
        )

    def get(self, request, *args, **kwargs):
        return self.render_step(forms.SetupSystemForm(organisation=request.organisation, initial={"in_scope": True}))

    def post(self, request, *args, **kwargs):
        form = forms.SetupSystemForm(request.POST, organisation=request.organisation)
        if form.is_valid():
            try:
                with transaction.atomic():
                    system = registry_services.ai_system_register(
                        actor=request.user, organisation=request.organisation, data=form.service_data()
                    )
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(
                    request,
                    gettext("%(reference)s %(name)s registered.")
                    % {"reference": system.reference, "name": system.name},
                )
                return redirect("onboarding:systems")
        return self.render_step(form)


class ClassifyStepView(SetupMixin, TemplateView):
    """Step 3: each system's EU AI Act tier, through the registry's own questionnaire."""

    def get(self, request, *args, **kwargs):
        systems = AISystem.objects.filter(organisation=request.organisation).order_by("-in_scope", "reference")
        return self.page(
            "onboarding/step_classify.html", "classify", title=gettext("EU AI Act classification"), systems=systems
        )


class ClassifySystemView(SetupMixin, AISystemClassifyView):
    """The registry's classification questionnaire, returning to the setup when done."""

    model = AISystem

    def get_system(self):
        return get_object_or_404(AISystem.objects.filter(organisation=self.request.organisation), pk=self.kwargs["pk"])

    def check_object(self) -> None:
        self.get_system()

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if response.status_code == 302:
            return redirect("onboarding:classify")
        return response


class GapStepView(SetupMixin, TemplateView):
    """Step 4: the first gap analysis as a questionnaire, one section at a time."""

    def load(self):
        readiness = selectors.certification_readiness(user=self.request.user, organisation=self.request.organisation)
        if readiness is None:
            raise Http404("The ISO/IEC 42001 catalogue is not loaded.")
        sections, questions = selectors.questionnaire(readiness)
        section = self.request.GET.get("section") or (sections[0]["identifier"] if sections else "")
        if section not in {s["identifier"] for s in sections}:
            raise Http404
        items = [q for q in questions if q.section == section]
        answers = {
            a.requirement_id: a
            for a in GapAnswer.objects.filter(
                organisation=self.request.organisation, requirement_id__in=[q.pk for q in items]
            )
        }
        return sections, section, items, answers

    def render_step(self, sections, section, form):
        ids = [s["identifier"] for s in sections]
        position = ids.index(section)
        answered = set(
            GapAnswer.objects.filter(organisation=self.request.organisation).values_list("requirement_id", flat=True)
        )
        return self.page(
            "onboarding/step_gap.html",
            "gap",
            title=gettext("First gap analysis"),
            sections=sections,
            section=section,
            form=form,
            next_section=ids[position + 1] if position + 1 < len(ids) else None,
            answered=answered,
        )

    def get(self, request, *args, **kwargs):
        sections, section, items, answers = self.load()
        return self.render_step(sections, section, forms.QuestionnaireForm(items=items, answers=answers))

    def post(self, request, *args, **kwargs):
        sections, section, items, answers = self.load()
        form = forms.QuestionnaireForm(request.POST, items=items, answers=answers)
        if form.is_valid():
            saved, failed = 0, False
            for item, answer_field, note_field in form.rows():
                answer = form.cleaned_data[answer_field.name]
                note = form.cleaned_data[note_field.name]
                if not answer:
                    continue
                existing = answers.get(item.pk)
                if existing and existing.answer == answer and existing.evidence_note == note.strip():
                    continue
                try:
                    with transaction.atomic():
                        services.gap_answer_save(
                            actor=request.user,
                            organisation=request.organisation,
                            requirement=_requirement(item.pk),
                            answer=answer,
                            evidence_note=note,
                        )
                    saved += 1
                except ServiceError as exc:
                    failed = True
                    for message in exc.messages:
                        form.add_error(
                            note_field.name
                            if "evidence_note" in getattr(exc, "message_dict", {})
                            else answer_field.name,
                            message,
                        )
            if not failed:
                messages.success(
                    request, ngettext("%(count)d answer saved.", "%(count)d answers saved.", saved) % {"count": saved}
                )
                target = request.POST.get("next") or section
                return redirect(f"{reverse('onboarding:gap')}?section={target}")
        return self.render_step(sections, section, form)


def _requirement(pk):
    from controls.models import Requirement

    return Requirement.objects.get(pk=pk)


class RoadmapStepView(SetupMixin, TemplateView):
    """Step 5: generate the roadmap by phase (pilot, high risks and high-risk systems first)."""

    def render_step(self, form):
        actions = (
            RoadmapAction.objects.filter(organisation=self.request.organisation)
            .select_related("owner", "requirement__framework")
            .order_by("phase", "due_date", "reference")
        )
        return self.page(
            "onboarding/step_roadmap.html",
            "roadmap",
            title=gettext("Roadmap"),
            form=form,
            phases=roadmap_by_phase(actions),
            action_count=len(actions),
        )

    def get(self, request, *args, **kwargs):
        progress = services.setup_progress(request.organisation, actor=request.user)
        initial = {
            "pilot_system": progress.pilot_system_id,
            "owner": progress.roadmap_owner_id or request.user.pk,
            "start": progress.roadmap_start or timezone.localdate(),
        }
        return self.render_step(forms.RoadmapForm(initial=initial, organisation=request.organisation))

    def post(self, request, *args, **kwargs):
        form = forms.RoadmapForm(request.POST, organisation=request.organisation)
        if form.is_valid():
            try:
                with transaction.atomic():
                    created = services.roadmap_generate(
                        actor=request.user,
                        organisation=request.organisation,
                        pilot_system=form.cleaned_data["pilot_system"],
                        owner=form.cleaned_data["owner"],
                        start=form.cleaned_data["start"],
                    )
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(
                    request,
                    ngettext(
                        "Roadmap generated: %(count)d new action.",
                        "Roadmap generated: %(count)d new actions.",
                        len(created),
                    )
                    % {"count": len(created)},
                )
                return redirect("onboarding:roadmap")
        return self.render_step(form)


class OrganisationCreateView(LoginRequiredMixin, TemplateView):
    """Any signed-in user creates an organisation and becomes its owner; a site administrator may
    name another user. The new organisation becomes the current one and its guided setup opens."""

    template_name = "onboarding/organisation_new.html"

    def get(self, request, *args, **kwargs):
        form = forms.OrganisationForm(site_admin=request.user.is_superuser)
        return render(request, self.template_name, {"form": form})

    def post(self, request, *args, **kwargs):
        form = forms.OrganisationForm(request.POST, site_admin=request.user.is_superuser)
        if form.is_valid():
            try:
                organisation = services.organisation_sign_up(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    slug=form.cleaned_data["slug"],
                    time_zone=form.cleaned_data["time_zone"],
                    administrator=form.cleaned_data.get("administrator"),
                )
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, gettext("%(name)s created.") % {"name": organisation.name})
                if organisation.memberships.filter(user=request.user).exists():
                    request.session[SESSION_KEY] = str(organisation.pk)
                    return redirect("onboarding:setup")
                return redirect("dashboard")
        return render(request, self.template_name, {"form": form})


# --- Document templates -----------------------------------------------------------------------------------


def _may_instantiate(request) -> bool:
    return selectors.may_instantiate(request.user, request.organisation)


class TemplateLibraryView(OrganisationViewMixin, TemplateView):
    model = DocumentTemplate

    def get(self, request, *args, **kwargs):
        self.require("view")
        return render(
            request,
            "onboarding/templates.html",
            {
                "templates": selectors.library_for(request.organisation),
                "can_add": self.allowed("add"),
            },
        )


class TemplateDetailView(OrganisationViewMixin, TemplateView):
    """Preview a template and instantiate it as a draft policy."""

    model = DocumentTemplate

    def get_template_or_404(self):
        template = selectors.template_get(self.request.organisation, self.kwargs["key"])
        if template is None:
            raise Http404
        return template

    def render_page(self, template, form):
        own = None
        if template.own_pk is not None:
            own = DocumentTemplate.objects.get(pk=template.own_pk)
        return render(
            self.request,
            "onboarding/template_detail.html",
            {
                "template": template,
                "preview": render_markdown(template.body),
                "form": form,
                "can_instantiate": _may_instantiate(self.request),
                "own": own,
                "can_change_own": own is not None and self.allowed("change", own),
            },
        )

    def get(self, request, *args, **kwargs):
        self.require("view")
        template = self.get_template_or_404()
        form = forms.InstantiateForm(
            initial={"title": template.title, "owner": request.user.pk}, organisation=request.organisation
        )
        return self.render_page(template, form)

    def post(self, request, *args, **kwargs):
        template = self.get_template_or_404()  # first: another organisation's template is 404, never 403
        if not _may_instantiate(request):
            raise PermissionDenied
        form = forms.InstantiateForm(request.POST, organisation=request.organisation)
        if form.is_valid():
            try:
                policy = services.template_instantiate(
                    actor=request.user,
                    organisation=request.organisation,
                    template=template,
                    owner=form.cleaned_data["owner"],
                    title=form.cleaned_data["title"],
                )
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(
                    request, gettext("%(reference)s drafted from the template.") % {"reference": policy.reference}
                )
                return redirect("controls:policy-detail", policy.pk)
        return self.render_page(template, form)


class OwnTemplateFormView(OrganisationViewMixin, TemplateView):
    model = DocumentTemplate

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(self.scoped_queryset(), pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        self.require("change" if obj else "add", obj)
        form = forms.DocumentTemplateForm(instance=obj, organisation=request.organisation)
        return render(request, "onboarding/template_form.html", {"form": form, "object": obj})

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        self.require("change" if obj else "add", obj)
        if obj is not None and request.POST.get("delete"):
            services.document_template_delete(actor=request.user, template=obj)
            messages.success(request, gettext("Template deleted."))
            return redirect("onboarding:templates")
        form = forms.DocumentTemplateForm(request.POST, instance=obj, organisation=request.organisation)
        if form.is_valid():
            try:
                data = form.service_data()
                if obj is None:
                    obj = services.document_template_create(
                        actor=request.user, organisation=request.organisation, data=data
                    )
                else:
                    services.document_template_update(actor=request.user, template=obj, data=data)
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, gettext("Template saved."))
                return redirect("onboarding:template", obj.key)
        return render(request, "onboarding/template_form.html", {"form": form, "object": obj})


# --- Public sign-up -----------------------------------------------------------------------------------------

SIGNUP_SALT = "onboarding.sign-up"


def signup_open() -> bool:
    return bool(settings.AIMS_SIGNUP_OPEN)


def _signup_token() -> str:
    return protection.signed_form_token(SIGNUP_SALT)


def _signup_page(request, form, status=200):
    if not form.is_bound:
        form.initial["form_token"] = _signup_token()
    else:
        # A form shown again gets a fresh token, so the person can correct and resend it.
        form.data = form.data.copy()
        form.data["form_token"] = _signup_token()
    return render(request, "onboarding/signup.html", {"form": form}, status=status)


@method_decorator([never_cache, csrf_protect], name="dispatch")
class SignUpView(View):
    """Anyone creates an account and an organisation they own (when ``AIMS_SIGNUP_OPEN``), is signed in and
    lands in the guided setup. Against abuse: a honeypot field, a signed form token with a minimum fill time,
    and a per-IP throttle (``trust.protection``, as the public concern form)."""

    def dispatch(self, request, *args, **kwargs):
        if not signup_open():
            raise Http404
        if request.user.is_authenticated:
            return redirect("onboarding:organisation-new")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return _signup_page(request, forms.SignUpForm())

    def post(self, request, *args, **kwargs):
        if not protection.allow_from_ip(
            request, "onboarding:signup", settings.AIMS_SIGNUP_RATE_PER_IP, settings.AIMS_SIGNUP_RATE_WINDOW
        ):
            return render(request, "onboarding/signup_throttled.html", status=429)
        form = forms.SignUpForm(request.POST)
        if not form.is_valid():
            return _signup_page(request, form, status=400)
        if form.cleaned_data.get("website"):
            # A bot filled the honeypot: answer as a refused form would, create nothing, reveal nothing.
            form.add_error(None, gettext("The account could not be created. Please try again."))
            return _signup_page(request, form, status=400)
        try:
            protection.check_signed_form_token(
                form.cleaned_data["form_token"],
                SIGNUP_SALT,
                min_fill_seconds=settings.AIMS_SIGNUP_MIN_FILL_SECONDS,
                max_age=settings.TRUST_CONCERN_MAX_FORM_AGE,
            )
        except protection.TokenProblem:
            form.add_error(
                None, gettext("This form has expired or was sent too quickly. Please check it and send it again.")
            )
            return _signup_page(request, form, status=400)
        data = form.cleaned_data
        try:
            user, organisation = services.sign_up(
                full_name=data["full_name"],
                email=data["email"],
                username=data["username"],
                password=data["password1"],
                organisation_name=data["organisation_name"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
            return _signup_page(request, form, status=400)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[SESSION_KEY] = str(organisation.pk)
        messages.success(
            request,
            gettext("Welcome! %(organisation)s is ready: the guided setup takes you through the first steps.")
            % {"organisation": organisation.name},
        )
        return redirect("onboarding:setup")
