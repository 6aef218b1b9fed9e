"""Browser pages for signing in, switching organisation, members and API tokens. Thin: services decide."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import (
    ApiTokenForm,
    LanguageSwitchForm,
    MemberAddForm,
    MemberRoleForm,
    PasswordLoginForm,
    PreferencesForm,
)
from accounts.locale import activate_for_request
from accounts.middleware import SESSION_KEY
from accounts.models import ApiToken, Membership, User
from aims.forms import apply_service_error
from aims.permissions import can
from aims.roles import ROLE_MEANINGS, Role
from aims.services import ServiceError


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = PasswordLoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        from accounts.models import OidcProvider

        context = super().get_context_data(**kwargs)
        context["sso_available"] = OidcProvider.objects.filter(enabled=True).exists()
        return context


@require_POST
@login_required
def switch_organisation(request, slug):
    """Make another of the user's organisations current. Not a member: 404, as for any other object."""
    membership = get_object_or_404(selectors.memberships_for_user(request.user), organisation__slug=slug)
    request.session[SESSION_KEY] = str(membership.organisation_id)
    messages.success(
        request, _("You are now working in %(organisation)s.") % {"organisation": membership.organisation.name}
    )
    return redirect("dashboard")


def _require_manage(request):
    if request.organisation is None or not can(request.user, "manage", Membership, request.organisation):
        raise PermissionDenied


@login_required
def member_list(request):
    if request.organisation is None:
        raise Http404
    manage = can(request.user, "manage", Membership, request.organisation)
    form = MemberAddForm()
    if request.method == "POST":
        _require_manage(request)
        form = MemberAddForm(request.POST)
        if form.is_valid():
            try:
                membership = services.member_invite(
                    actor=request.user, organisation=request.organisation, **form.cleaned_data
                )
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                if not membership.user.has_usable_password() and membership.user.email:
                    services.member_send_invitation(
                        user=membership.user,
                        organisation=request.organisation,
                        domain=request.get_host(),
                        use_https=request.is_secure(),
                    )
                messages.success(
                    request,
                    _("%(username)s added as %(role)s.")
                    % {"username": membership.user.username, "role": membership.get_role_display()},
                )
                return redirect("accounts:members")
    return render(
        request,
        "accounts/members.html",
        {
            "memberships": selectors.membership_list(request.organisation),
            "form": form,
            "can_manage": manage,
            "roles": [(value, label, ROLE_MEANINGS[value]) for value, label in Role.choices],
            "role_form": MemberRoleForm(),
        },
    )


def isolation_model(model):
    """Names the model a function view looks up by ``pk`` (read by the generated isolation test)."""

    def decorate(view):
        view.isolation_model = model
        return view

    return decorate


@isolation_model(Membership)
@require_POST
@login_required
def member_change_role(request, pk):
    membership = get_object_or_404(selectors.membership_list(request.organisation), pk=pk)
    _require_manage(request)
    form = MemberRoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_change_role(actor=request.user, membership=membership, role=form.cleaned_data["role"])
            messages.success(
                request,
                _("%(username)s is now %(role)s.")
                % {"username": membership.user.username, "role": membership.get_role_display()},
            )
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Choose a valid role."))
    return redirect("accounts:members")


@isolation_model(Membership)
@require_POST
@login_required
def member_remove(request, pk):
    membership = get_object_or_404(selectors.membership_list(request.organisation), pk=pk)
    _require_manage(request)
    try:
        services.membership_remove(actor=request.user, membership=membership)
        messages.success(request, _("%(username)s was removed.") % {"username": membership.user.username})
    except ServiceError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("accounts:members")


@login_required
def token_list(request):
    if request.organisation is None:
        raise Http404
    form = ApiTokenForm()
    new_key = None
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            token, new_key = services.api_token_create(
                user=request.user, organisation=request.organisation, **form.cleaned_data
            )
            messages.success(
                request,
                _("Token “%(name)s” created. Copy the key now: it is not shown again.") % {"name": token.name},
            )
            form = ApiTokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "tokens": selectors.api_tokens_for_user(request.user, request.organisation),
            "form": form,
            "new_key": new_key,
        },
    )


@isolation_model(ApiToken)
@require_POST
@login_required
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, organisation=request.organisation)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


# --- Preferences: language, time zone, date format ------------------------------------------------------------


@login_required
def preferences(request):
    """The signed-in person's own language, time zone and date format."""
    # A copy: an invalid form must not leave half-applied choices on request.user for the rest of the page.
    own = User.objects.get(pk=request.user.pk)
    form = PreferencesForm(request.POST or None, instance=own, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        services.user_preferences_update(user=request.user, **form.cleaned_data)
        # Activated now, so the confirmation is already in the chosen language.
        activate_for_request(request, user=request.user, organisation=request.organisation)
        messages.success(request, _("Your preferences were saved."))
        return redirect("accounts:preferences")
    return render(request, "accounts/preferences.html", {"form": form, "now": timezone.now()})


@require_POST
@login_required
def switch_language(request):
    """The user menu's language switch: stores the choice on the person, then back to the page they were on."""
    form = LanguageSwitchForm(request.POST)
    # Back to the page the switch was used on. The menu does not write that page's address into every page
    # (a 404 would echo a guessed URL back); the same-origin Referer says it, and `next` still works for links.
    target = request.POST.get("next") or request.headers.get("referer") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "dashboard"
    if form.is_valid():
        services.user_preferences_update(user=request.user, language=form.cleaned_data["language"])
    else:
        messages.error(request, _("Choose one of the available languages."))
    return redirect(target)
