"""The EU AI Act questionnaire page of an AI system. Thin: the form parses, the service classifies."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.generic import TemplateView

from aims.crud import OrganisationViewMixin
from aims.forms import apply_service_error
from aims.services import ServiceError
from registry import services
from registry.forms_classification import ClassificationForm
from registry.models import AISystem, Classification


class AISystemClassifyView(OrganisationViewMixin, TemplateView):
    """GET: the questionnaire, prefilled from the current classification; POST: classify and show the result."""

    model = AISystem
    url_base = "registry:aisystem"
    template_name = "registry/aisystem_classify.html"

    def get_system(self) -> AISystem:
        system = get_object_or_404(self.scoped_queryset(), pk=self.kwargs["pk"])
        self.require("change", system)
        return system

    def render_form(self, form, system, current):
        context = {**self.common_context(), "form": form, "object": system, "current": current}
        return render(self.request, self.template_name, context)

    def current(self, system):
        return Classification.objects.filter(ai_system=system).select_related("classified_by").first()

    def get(self, request, *args, **kwargs):
        system = self.get_system()
        current = self.current(system)
        form = ClassificationForm(initial=ClassificationForm.initial_from(system, current and current.answers))
        return self.render_form(form, system, current)

    def post(self, request, *args, **kwargs):
        system = self.get_system()
        form = ClassificationForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    result = services.ai_system_classify(actor=request.user, system=system, answers=form.answers())
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(
                    request,
                    gettext("%(system)s classified: %(tier)s.") % {"system": system, "tier": result.get_tier_display()},
                )
                return redirect(f"{reverse('registry:aisystem-detail', args=[system.pk])}?tab=classification")
        return self.render_form(form, system, self.current(system))
