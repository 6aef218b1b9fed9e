"""Pages for sign-in security: two-factor set-up and verification, the access log, external auditors,
the organisation's security settings (2FA requirement, single sign-on). Thin: the services decide."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from accounts import invitations, security, selectors
from accounts.forms import (
    AccessLogFilterForm,
    AuditorInviteForm,
    InvitationAcceptForm,
    OidcProviderForm,
    OrganisationLocaleForm,
    OrganisationSecurityForm,
    TwoFactorCodeForm,
    TwoFactorConfirmForm,
)
from accounts.middleware import SESSION_KEY, SESSION_TWO_FACTOR
from accounts.models import AccessLog, AuditorInvitation, OidcProvider, Organisation
from accounts.views import isolation_model
from aims.exports import export_response
from aims.forms import apply_service_error
from aims.permissions import can
from aims.services import ServiceError, save_with_history


def _next_url(request, default="dashboard"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _verified(request, device) -> None:
    otp_login(request, device)
    request.session[SESSION_TWO_FACTOR] = {"state": "ok", "at": timezone.now().timestamp()}


# --- Two-factor ---------------------------------------------------------------------------------------------


@login_required
def two_factor(request):
    """Status and set-up: a QR code for an authenticator app, confirmed with a first code."""
    user = request.user
    enrolled = security.has_two_factor(user)
    recovery_codes = None
    form = TwoFactorConfirmForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "confirm":
            form = TwoFactorConfirmForm(request.POST)
            if form.is_valid():
                try:
                    device, recovery_codes = security.confirm_totp(user, form.cleaned_data["code"])
                except ServiceError as exc:
                    apply_service_error(form, exc)
                else:
                    _verified(request, device)
                    enrolled = True
                    messages.success(request, _("Two-factor sign-in is on. Keep your recovery codes somewhere safe."))
                    form = TwoFactorConfirmForm()
        elif action == "recovery" and enrolled and user.is_verified():
            recovery_codes = security.regenerate_recovery_codes(user)
            messages.success(request, _("New recovery codes: the old ones no longer work."))
        elif action == "disable" and enrolled and user.is_verified():
            try:
                security.disable_two_factor(user)
            except ServiceError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                request.session[SESSION_TWO_FACTOR] = {"state": "ok", "at": timezone.now().timestamp()}
                messages.success(request, _("Two-factor sign-in is off."))
                return redirect("accounts:two-factor")
    context = {
        "enrolled": enrolled,
        "required": security.two_factor_required(user),
        "recovery_codes": recovery_codes,
        "recovery_left": security.recovery_codes_left(user) if enrolled else 0,
        "form": form,
        "next": _next_url(request, ""),
    }
    if not enrolled:
        device = security.pending_totp_device(user)
        context.update(qr_svg=security.totp_qr_svg(device), secret=security.totp_secret(device))
    if recovery_codes and context["next"]:
        context["continue_url"] = context["next"]
    return render(request, "accounts/two_factor.html", context)


@login_required
def two_factor_verify(request):
    """The second step of signing in for users with an authenticator."""
    if not security.has_two_factor(request.user):
        return redirect(_next_url(request))
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = security.verify_code(request.user, form.cleaned_data["code"])
        if device is not None:
            _verified(request, device)
            return redirect(_next_url(request))
        from accounts.access import record_access
        from accounts.models import AccessKind

        record_access(AccessKind.LOGIN_FAILED, request=request, detail="wrong two-factor code", every_organisation=True)
        form.add_error("code", _("That code is not right (or was already used). Try the next code."))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request, "")})


# --- Access log ---------------------------------------------------------------------------------------------

ACCESS_LOG_EXPORT = [
    ("When", "at"),
    ("Event", "get_kind_display"),
    ("User", "username"),
    ("IP address", "ip_address"),
    ("Method", "method"),
    ("Path", "path"),
    ("Detail", "detail"),
    ("User agent", "user_agent"),
]


def filter_access_log(queryset, data):
    """Apply the access-log filters (shared by the page and the API)."""
    form = AccessLogFilterForm(data or None)
    if not form.is_valid():
        return queryset, form
    values = form.cleaned_data
    if values.get("kind"):
        queryset = queryset.filter(kind=values["kind"])
    if values.get("q"):
        queryset = queryset.filter(username__icontains=values["q"])
    if values.get("since"):
        queryset = queryset.filter(at__date__gte=values["since"])
    if values.get("until"):
        queryset = queryset.filter(at__date__lte=values["until"])
    return queryset, form


@login_required
def access_log(request):
    organisation = request.organisation
    if organisation is None or not can(request.user, "view", AccessLog, organisation):
        raise Http404
    rows, form = filter_access_log(selectors.access_log(organisation), request.GET)
    if request.GET.get("export") == "csv":
        return export_response(rows, ACCESS_LOG_EXPORT, "csv", filename="access-log")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/access_log.html",
        {
            "page": page,
            "form": form,
            "query": query.urlencode(),
            "can_export": can(request.user, "export", AccessLog, organisation),
        },
    )


# --- External auditors --------------------------------------------------------------------------------------


def _audit_choices(organisation):
    """The organisation's audits, read through the app registry (accounts does not import audits)."""
    try:
        audit_model = apps.get_model("audits", "Audit")
    except LookupError:
        return []
    audits = audit_model.objects.filter(organisation=organisation).order_by("reference")
    return [(str(a.pk), str(a)) for a in audits]


@login_required
def auditor_invitations(request):
    organisation = request.organisation
    if organisation is None or not can(request.user, "view", AuditorInvitation, organisation):
        raise Http404
    choices = _audit_choices(organisation)
    form = AuditorInviteForm(audit_choices=choices)
    if request.method == "POST":
        form = AuditorInviteForm(request.POST, audit_choices=choices)
        if form.is_valid():
            data = form.cleaned_data
            expires_at = dt.datetime.combine(data["expires_on"], dt.time(23, 59, 59), tzinfo=dt.UTC)
            try:
                invitation, token = invitations.invite_auditor(
                    actor=request.user,
                    organisation=organisation,
                    email=data["email"],
                    name=data["name"],
                    expires_at=expires_at,
                    audit_ids=data["audits"],
                )
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                invitations.send_invitation(invitation, token, base_url=request.build_absolute_uri("/"))
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
                return redirect("accounts:auditors")
    names = dict(choices)
    rows = [
        (inv, [names.get(i, _("(deleted audit)")) for i in inv.audit_ids])
        for inv in selectors.auditor_invitations(organisation)
    ]
    return render(
        request,
        "accounts/auditors.html",
        {
            "rows": rows,
            "form": form,
            "now": timezone.now(),
            "can_invite": can(request.user, "add", AuditorInvitation, organisation),
        },
    )


@isolation_model(AuditorInvitation)
@require_POST
@login_required
def auditor_revoke(request, pk):
    organisation = request.organisation
    invitation = get_object_or_404(selectors.auditor_invitations(organisation), pk=pk)
    if not can(request.user, "change", invitation, organisation):
        raise PermissionDenied
    invitations.revoke_invitation(actor=request.user, invitation=invitation)
    messages.success(request, _("Access for %(email)s revoked.") % {"email": invitation.email})
    return redirect("accounts:auditors")


def invitation_accept(request, token):
    """The link in the invitation email: choose a username and password, then sign in."""
    invitation = invitations.invitation_for_token(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = InvitationAcceptForm(request.POST or None, initial={"username": invitation.email.split("@")[0]})
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.accept_invitation(
                token=token, username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
            )
        except ServiceError as exc:
            if hasattr(exc, "error_dict") and "password" in exc.message_dict:
                for error in exc.message_dict["password"]:
                    form.add_error("password1", error)
            else:
                apply_service_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[SESSION_KEY] = str(invitation.organisation_id)
            messages.success(
                request,
                _("Welcome. You have read-only access to %(organisation)s's audits.")
                % {"organisation": invitation.organisation.name},
            )
            return redirect("audits:audit-list")
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation})


# --- Organisation security settings (administrators) --------------------------------------------------------


@login_required
def security_settings(request):
    organisation = request.organisation
    if organisation is None or not can(request.user, "manage", Organisation, organisation):
        raise Http404
    provider = OidcProvider.objects.filter(organisation=organisation).first()
    org_form = OrganisationSecurityForm(instance=organisation, prefix="org")
    sso_form = OidcProviderForm(instance=provider, prefix="sso")
    locale_form = OrganisationLocaleForm(instance=organisation, prefix="locale")
    if request.method == "POST":
        if "save_locale" in request.POST:
            # A fresh copy: an invalid form must not leave its values on request.organisation for the page.
            locale_form = OrganisationLocaleForm(
                request.POST, instance=Organisation.objects.get(pk=organisation.pk), prefix="locale"
            )
            if locale_form.is_valid():
                save_with_history(
                    locale_form.save(commit=False), actor=request.user, reason="Language and time zone changed"
                )
                messages.success(request, _("Language and time zone saved."))
                return redirect("accounts:security")
        elif "save_org" in request.POST:
            org_form = OrganisationSecurityForm(request.POST, instance=organisation, prefix="org")
            if org_form.is_valid():
                save_with_history(org_form.save(commit=False), actor=request.user, reason="Security settings changed")
                messages.success(request, _("Security settings saved."))
                return redirect("accounts:security")
        elif "save_sso" in request.POST:
            sso_form = OidcProviderForm(request.POST, instance=provider, prefix="sso")
            if sso_form.is_valid():
                obj = sso_form.save(commit=False)
                obj.organisation = organisation
                save_with_history(obj, actor=request.user, reason="Single sign-on configured")
                messages.success(request, _("Single sign-on saved."))
                return redirect("accounts:security")
    callback = request.build_absolute_uri("/account/sso/callback/")
    return render(
        request,
        "accounts/security.html",
        {
            "org_form": org_form,
            "sso_form": sso_form,
            "locale_form": locale_form,
            "provider": provider,
            "callback_url": callback,
        },
    )
