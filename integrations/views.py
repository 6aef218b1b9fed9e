"""Pages: webhook endpoints (administrators) with their delivery log and test button; OSCAL export/import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from aims.events import EVENT_TYPES
from aims.forms import apply_service_error
from aims.permissions import can
from integrations.forms import WebhookEndpointForm
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.services import webhooks


def _require_admin(request):
    if request.organisation is None:
        raise Http404
    if not can(request.user, "manage", WebhookEndpoint, request.organisation):
        raise PermissionDenied


def _endpoint(request, pk):
    return get_object_or_404(WebhookEndpoint.objects.visible_to(request.user, request.organisation), pk=pk)


@login_required
def webhook_list(request):
    _require_admin(request)
    endpoints = WebhookEndpoint.objects.visible_to(request.user, request.organisation)
    return render(request, "integrations/webhook_list.html", {"endpoints": endpoints, "event_types": EVENT_TYPES})


@login_required
def webhook_form(request, pk=None):
    endpoint = _endpoint(request, pk) if pk else None
    _require_admin(request)
    form = WebhookEndpointForm(request.POST or None, instance=endpoint, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                if endpoint:
                    saved = webhooks.endpoint_update(actor=request.user, endpoint=endpoint, data=form.service_data())
                else:
                    saved = webhooks.endpoint_create(
                        actor=request.user, organisation=request.organisation, data=form.service_data()
                    )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, gettext("%(endpoint)s saved.") % {"endpoint": saved})
            return redirect("integrations:webhook-detail", saved.pk)
    return render(request, "integrations/webhook_form.html", {"form": form, "object": endpoint})


webhook_form.isolation_model = WebhookEndpoint


@login_required
def webhook_detail(request, pk):
    endpoint = _endpoint(request, pk)
    deliveries = WebhookDelivery.objects.visible_to(request.user, request.organisation).filter(endpoint=endpoint)[:100]
    return render(
        request,
        "integrations/webhook_detail.html",
        {"object": endpoint, "deliveries": deliveries, "event_types": EVENT_TYPES},
    )


webhook_detail.isolation_model = WebhookEndpoint


def _endpoint_action(service, message, *, to_list: bool = False):
    """A POST-only page action on one endpoint: call ``service``, say ``message``, go back."""

    @require_POST
    @login_required
    def view(request, pk):
        endpoint = _endpoint(request, pk)
        service(actor=request.user, endpoint=endpoint)
        messages.success(request, message % {"endpoint": endpoint})
        if to_list:
            return redirect("integrations:webhook-list")
        return redirect("integrations:webhook-detail", endpoint.pk)

    view.isolation_model = WebhookEndpoint
    return view


webhook_test = _endpoint_action(
    webhooks.send_test_event, _("A test event was queued: its delivery appears in the log below.")
)
webhook_rotate = _endpoint_action(webhooks.endpoint_rotate_secret, _("A new secret was made: update your receiver."))
webhook_delete = _endpoint_action(webhooks.endpoint_delete, _("%(endpoint)s deleted."), to_list=True)
