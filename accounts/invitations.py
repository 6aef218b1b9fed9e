"""External auditors: invite by email with an expiry and a scope, accept (set a password), revoke.

The invitee becomes an ``auditor`` member whose membership ends at ``expires_at``; the permission module
(``aims.permissions.external_scope``) then limits them to reading the audits their invitation names. Revoking
sets the end to now, so the next request already finds no membership in force.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import record_access
from accounts.models import AccessKind, ApiToken, AuditorInvitation, Membership, Organisation, User
from aims.permissions import can, forget_roles
from aims.roles import Role
from aims.services import ServiceError, save_with_history

MAX_INVITATION_DAYS = 366


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require(actor, action, organisation, obj=None) -> None:
    if not can(actor, action, obj if obj is not None else AuditorInvitation, organisation):
        raise ServiceError(_("You are not allowed to manage external auditors in this organisation."))


@transaction.atomic
def invite_auditor(
    *,
    actor: User,
    organisation: Organisation,
    email: str,
    expires_at: datetime,
    audit_ids=(),
    name: str = "",
    now: datetime | None = None,
) -> tuple[AuditorInvitation, str]:
    """Create an invitation; returns it and the one-time token for the link (only its hash is stored).

    ``audit_ids`` must be audits of ``organisation`` (the caller, which may import audits, checks them);
    empty means all of the organisation's audits and evidence packs.
    """
    _require(actor, "add", organisation)
    now = now or timezone.now()
    if expires_at <= now:
        raise ServiceError(_("The expiry must be in the future."), field="expires_at")
    if (expires_at - now).days > MAX_INVITATION_DAYS:
        raise ServiceError(_("Invite for at most %(days)s days.") % {"days": MAX_INVITATION_DAYS}, field="expires_at")
    token = secrets.token_urlsafe(32)
    invitation = AuditorInvitation(
        organisation=organisation,
        email=email.strip().lower(),
        name=name.strip(),
        expires_at=expires_at,
        audit_ids=sorted({str(i) for i in audit_ids}),
        token_hash=_hash(token),
        invited_by=actor,
    )
    save_with_history(invitation, actor=actor, reason="External auditor invited")
    scope = "all audits" if invitation.whole_organisation else f"{len(invitation.audit_ids)} named audit(s)"
    record_access(
        AccessKind.INVITATION,
        user=actor,
        organisation=organisation,
        detail=f"invited {invitation.email} until {expires_at:%Y-%m-%d %H:%M}, {scope}",
    )
    return invitation, token


def send_invitation(invitation: AuditorInvitation, token: str, *, base_url: str) -> None:
    """Email the invitation link after the transaction commits."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    context = {"invitation": invitation, "url": f"{base_url.rstrip('/')}/account/invitation/{token}/"}
    from accounts.locale import override_for

    # The auditor has no account yet: the organisation's language, whoever sends it.
    with override_for(organisation=invitation.organisation):
        subject = _("Auditor access to %(organisation)s") % {"organisation": invitation.organisation.name}
        body = render_to_string("accounts/auditor_invite_email.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [invitation.email]))


def invitation_for_token(token: str, *, now: datetime | None = None) -> AuditorInvitation | None:
    """The pending invitation for a link token; ``None`` when unknown, used, expired or revoked."""
    if not token or len(token) > 100:
        return None
    return AuditorInvitation.objects.pending(now).select_related("organisation").filter(token_hash=_hash(token)).first()


@transaction.atomic
def accept_invitation(*, token: str, username: str, password: str, now: datetime | None = None) -> User:
    """Create the auditor's account and membership (ending at the invitation's expiry)."""
    now = now or timezone.now()
    invitation = invitation_for_token(token, now=now)
    if invitation is None:
        raise ServiceError(_("This invitation is no longer valid. Ask the organisation for a new one."))
    invitation = AuditorInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ServiceError(_("This invitation has already been used."))
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError(_("This username is taken: choose another."), field="username")
    user = User(username=username, email=invitation.email, first_name=invitation.name[:150])
    try:
        user.full_clean(exclude=["password"])
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        field = "username" if hasattr(exc, "error_dict") else "password"
        raise ServiceError(" ".join(exc.messages), field=field) from None
    user.set_password(password)
    user.save()
    membership = Membership(
        user=user, organisation=invitation.organisation, role=Role.AUDITOR, expires_at=invitation.expires_at
    )
    save_with_history(membership, actor=user, reason="External auditor accepted an invitation")
    invitation.membership = membership
    invitation.accepted_at = now
    save_with_history(invitation, actor=user, reason="Invitation accepted")
    record_access(AccessKind.INVITATION, user=user, organisation=invitation.organisation, detail="invitation accepted")
    return user


@transaction.atomic
def revoke_invitation(*, actor: User, invitation: AuditorInvitation, now: datetime | None = None) -> AuditorInvitation:
    """End the invitation and any access it gave, at once."""
    _require(actor, "change", invitation.organisation, invitation)
    now = now or timezone.now()
    if invitation.revoked_at is None:
        invitation.revoked_at = now
        save_with_history(invitation, actor=actor, reason="Invitation revoked")
    membership = invitation.membership
    if membership is not None and (membership.expires_at is None or membership.expires_at > now):
        membership.expires_at = now
        save_with_history(membership, actor=actor, reason="External auditor access revoked")
        ApiToken.objects.active().filter(user=membership.user, organisation=invitation.organisation).update(
            revoked_at=now
        )
        forget_roles(membership.user)
    record_access(
        AccessKind.INVITATION, user=actor, organisation=invitation.organisation, detail=f"revoked {invitation.email}"
    )
    return invitation
