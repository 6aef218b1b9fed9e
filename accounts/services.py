"""Every change to organisations, memberships and API tokens goes through these functions."""

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.access import record_access
from accounts.models import AccessKind, ApiToken, Membership, Organisation, User
from aims.permissions import ADMIN_ROLES, can, forget_roles, may_assign_role
from aims.roles import Role
from aims.services import ServiceError, delete_with_history, save_with_history


class PermissionDenied(ServiceError):
    """The actor's role does not allow the change."""


def _require(actor, action, obj_or_model, organisation) -> None:
    if not can(actor, action, obj_or_model, organisation):
        raise PermissionDenied(_("You are not allowed to do this in this organisation."))


def _require_role_assignment(actor, organisation, *, current, new) -> None:
    if not may_assign_role(actor, organisation, current=current, new=new):
        raise PermissionDenied("Only an owner makes someone an owner or changes an owner's role.")


@transaction.atomic
def organisation_create(*, name: str, creator: User | None, slug: str = "", time_zone: str = "UTC") -> Organisation:
    """Create an organisation; its creator, when given, becomes its owner (administrator and officer in one)."""
    organisation = Organisation(name=name, slug=slug or slugify(name)[:80], time_zone=time_zone)
    save_with_history(organisation, actor=creator, reason="Organisation created")
    if creator is not None:
        membership = Membership(user=creator, organisation=organisation, role=Role.OWNER)
        save_with_history(membership, actor=creator, reason="Creator becomes owner")
        forget_roles(creator)
    return organisation


@transaction.atomic
def membership_add(*, actor: User, organisation: Organisation, user: User, role: str) -> Membership:
    _require(actor, "manage", Membership, organisation)
    _require_role_assignment(actor, organisation, current=None, new=role)
    if Membership.objects.filter(organisation=organisation, user=user).exists():
        raise ServiceError(_("%(username)s is already a member.") % {"username": user.username}, field="user")
    membership = Membership(organisation=organisation, user=user, role=role)
    return save_with_history(membership, actor=actor, reason=f"Added as {membership.get_role_display()}")


def _ensure_an_admin_remains(membership: Membership, new_role: str | None) -> None:
    """An organisation keeps at least one owner or administrator (someone who can manage its members)."""
    if membership.role not in ADMIN_ROLES or new_role in ADMIN_ROLES:
        return
    others = Membership.objects.filter(organisation=membership.organisation, role__in=ADMIN_ROLES).exclude(
        pk=membership.pk
    )
    if not others.exists():
        raise ServiceError(_("An organisation needs at least one administrator."), field="role", conflict=True)


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    _require(actor, "manage", membership, membership.organisation)
    if role not in Role.values:
        raise ServiceError(_("%(role)r is not a role.") % {"role": role}, field="role")
    _require_role_assignment(actor, membership.organisation, current=membership.role, new=role)
    _ensure_an_admin_remains(membership, role)
    old = membership.get_role_display()
    membership.role = role
    save_with_history(membership, actor=actor, reason=f"Role changed from {old} to {membership.get_role_display()}")
    record_access(
        AccessKind.ROLE_CHANGED,
        user=actor,
        organisation=membership.organisation,
        detail=f"{membership.user.username}: {old} → {membership.get_role_display()}",
    )
    forget_roles(membership.user)
    forget_roles(actor)  # the actor may have changed their own role
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    _require(actor, "manage", membership, membership.organisation)
    _require_role_assignment(actor, membership.organisation, current=membership.role, new=None)
    _ensure_an_admin_remains(membership, None)
    # Tokens are bound to the membership's organisation: they stop working with it.
    ApiToken.objects.active().filter(user=membership.user, organisation=membership.organisation).update(
        revoked_at=timezone.now()
    )
    delete_with_history(membership, actor=actor, reason="Removed from the organisation")
    forget_roles(membership.user)


@transaction.atomic
def api_token_create(*, user: User, organisation: Organisation, name: str = "API token", read_only: bool = False):
    """Create a token for ``user`` in ``organisation``; returns ``(token, key)``. The key is never stored."""
    if not can(user, "view", Organisation, organisation):
        raise PermissionDenied(_("You are not a member of this organisation."))
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user,
        organisation=organisation,
        name=(name or "API token")[:100],
        read_only=read_only,
        prefix=key[: ApiToken.PREFIX_LENGTH],
        key_hash=ApiToken.hash_key(key),
    )
    record_access(
        AccessKind.TOKEN_CREATED,
        user=user,
        organisation=organisation,
        detail=f"{token.name} ({token.prefix}…){' read-only' if read_only else ''}",
    )
    return token, key


def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token: its owner may, and so may the organisation's administrators."""
    if token.user_id != actor.pk:
        _require(actor, "manage", ApiToken, token.organisation)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_access(
            AccessKind.TOKEN_REVOKED,
            user=actor,
            organisation=token.organisation,
            detail=f"{token.name} ({token.prefix}…) of {token.user.username}",
        )
    return token


def api_token_obtain(
    *,
    username: str,
    password: str,
    organisation_slug: str = "",
    read_only: bool = False,
    otp: str = "",
    request=None,
):
    """Exchange credentials for a token in one of the user's organisations; returns ``(token, key)``.

    The same rules as the sign-in page hold: lockout after repeated failures (``request`` is needed for
    it), no password for members of an organisation that signs in only through SSO, and the second factor
    for users who have one.
    """
    from accounts import security

    user = authenticate(request, username=username, password=password)
    if user is None:
        if request is not None and getattr(request, "axes_locked_out", False):
            raise ServiceError(security.lockout_message(), field="non_field_errors")
        raise ServiceError(_("Unable to sign in with these credentials."), field="non_field_errors")
    refusal = security.password_login_refusal(user)
    if refusal:
        raise ServiceError(refusal, field="non_field_errors")
    if security.has_two_factor(user) and not security.verify_code(user, otp):
        raise ServiceError(_("Give the current code of your authenticator app (or a recovery code)."), field="otp")
    if not security.has_two_factor(user) and security.two_factor_required(user):
        raise ServiceError(_("Your organisation requires two-factor: set it up in the browser first."), field="otp")
    memberships = Membership.objects.effective().filter(user=user).select_related("organisation")
    if organisation_slug:
        membership = memberships.filter(organisation__slug=organisation_slug).first()
        if membership is None:
            raise ServiceError(_("You are not a member of an organisation with this slug."), field="organisation")
    else:
        found = list(memberships[:2])
        if not found:
            raise ServiceError(_("You are not a member of any organisation."), field="organisation")
        if len(found) > 1:
            raise ServiceError(_("You belong to several organisations: name one by its slug."), field="organisation")
        membership = found[0]
    return api_token_create(
        user=user, organisation=membership.organisation, name="Obtained through the API", read_only=read_only
    )


@transaction.atomic
def member_invite(*, actor: User, organisation: Organisation, username: str, email: str, role: str) -> Membership:
    """Add an existing user, or create an account (no usable password yet) and add it."""
    _require(actor, "manage", Membership, organisation)
    user = User.objects.filter(username=username).first()
    if user is None:
        if not email:
            raise ServiceError(_("A new account needs an email address for its invitation."), field="email")
        user = User(username=username, email=email)
        user.set_unusable_password()
        user.full_clean()
        user.save()
    return membership_add(actor=actor, organisation=organisation, user=user, role=role)


def member_send_invitation(*, user: User, organisation: Organisation, domain: str, use_https: bool) -> None:
    """Email a new member a one-time link to set their password, after the transaction commits.

    Django's password-reset form skips accounts without a usable password, which is exactly what a new
    invited account is, so the link is built here with the same token generator.
    """
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    context = {
        "user": user,
        "organisation": organisation,
        "domain": domain,
        "protocol": "https" if use_https else "http",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    from accounts.locale import override_for

    with override_for(user=user, organisation=organisation):  # the invitee's language, not the sender's
        subject = render_to_string("accounts/invite_subject.txt", context).strip()
        body = render_to_string("accounts/invite_email.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email]))


PREFERENCE_FIELDS = ("language", "time_zone", "date_format")


@transaction.atomic
def user_preferences_update(*, user: User, **changes) -> User:
    """Change a person's own language, time zone or date format (only those given). Invalid: field errors."""
    from django.core.exceptions import ValidationError

    unknown = set(changes) - set(PREFERENCE_FIELDS)
    if unknown:
        raise ValueError(f"not a preference: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(user, field, value or ("" if field != "date_format" else user.date_format))
    try:
        user.clean_fields(exclude=[f.name for f in User._meta.fields if f.name not in changes])
    except ValidationError as exc:
        user.refresh_from_db(fields=list(changes))
        raise ServiceError(exc.message_dict) from None
    user.save(update_fields=list(changes))
    return user
