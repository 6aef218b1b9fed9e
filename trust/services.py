"""Every change to the trust centre and to reported concerns (ISO/IEC 42001 Annex A.8.2–A.8.3, A.3.3)."""

from __future__ import annotations

import logging
import re
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from aims.permissions import OFFICER_ROLES
from aims.services import ServiceError, create_record, save_with_history, update_record
from controls.uploads import check_upload
from trust.models import Concern, PublishedSystem, TrustPage

PAGE_FIELDS = (
    "slug",
    "published",
    "display_name",
    "introduction",
    "publish_introduction",
    "policy_summary",
    "publish_policy_summary",
    "contact_email",
    "contact_text",
    "publish_contact",
    "certification_standard",
    "certification_body",
    "certificate_number",
    "certificate_valid_from",
    "certificate_valid_until",
    "publish_certification",
    "publish_certificate_file",
    "accept_concerns",
)
LISTING_FIELDS = (
    "published",
    "publish_purpose",
    "publish_intended_users",
    "publish_human_oversight",
    "publish_eu_tier",
    "user_information",
    "publish_user_information",
    "sort_order",
)
logger = logging.getLogger(__name__)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def trust_page_ensure(organisation, *, actor=None) -> TrustPage:
    """The organisation's trust page, created unpublished (every field unpublished) on first use."""
    page = TrustPage.objects.filter(organisation=organisation).first()
    if page is not None:
        return page
    slug = slugify(organisation.slug or organisation.name)[:60] or "organisation"
    if TrustPage.objects.filter(slug=slug).exists():
        slug = f"{slug}-{secrets.token_hex(3)}"
    page = TrustPage(organisation=organisation, slug=slug, display_name=organisation.name[:200])
    try:
        with transaction.atomic():
            save_with_history(page, actor=actor, reason="Created (unpublished)")
    except IntegrityError:  # created by a concurrent request
        page = TrustPage.objects.get(organisation=organisation)
    return page


@transaction.atomic
def trust_page_update(*, actor, page: TrustPage, data: dict, certificate=None) -> TrustPage:
    """Change the page; ``certificate`` (a PDF, checked like evidence files) replaces the stored one."""
    values = {k: data[k] for k in PAGE_FIELDS if k in data}
    if "slug" in values:
        values["slug"] = slugify(values["slug"])[:80]
        if not values["slug"]:
            raise ServiceError(_("Choose an address made of letters, digits and hyphens."), field="slug")
        if TrustPage.objects.filter(slug=values["slug"]).exclude(pk=page.pk).exists():
            raise ServiceError(_("This address is taken; choose another."), field="slug")
    start, end = (
        values.get("certificate_valid_from", page.certificate_valid_from),
        values.get("certificate_valid_until", page.certificate_valid_until),
    )
    if start and end and end < start:
        raise ServiceError(_("The certificate cannot expire before it starts."), field="certificate_valid_until")
    if certificate is not None:
        checked = check_upload(certificate)
        if checked.extension != "pdf":
            raise ServiceError(_("Upload the certificate as a PDF."), field="certificate_file")
        old = page.certificate_file.name if page.certificate_file else ""
        page.certificate_file.save("certificate.pdf", certificate, save=False)
        page.certificate_sha256 = checked.sha256
        if old:
            transaction.on_commit(lambda: page.certificate_file.storage.delete(old))
    update_record(page, actor=actor, data=values, reason="Edited")
    return page


@transaction.atomic
def published_system_save(*, actor, organisation, ai_system, data: dict) -> PublishedSystem:
    """Choose what the trust page shows of one AI system (each field opt-in)."""
    if ai_system.organisation_id != organisation.pk:
        raise ServiceError(_("Choose one of your AI systems."), field="ai_system")
    values = {k: data[k] for k in LISTING_FIELDS if k in data}
    listing = PublishedSystem.objects.filter(ai_system=ai_system).first()
    if listing is None:
        return create_record(
            PublishedSystem,
            actor=actor,
            organisation=organisation,
            data={"ai_system": ai_system, **values},
            reason="Listing created",
        )
    update_record(listing, actor=actor, data=values, reason="Edited")
    return listing


# --- Concerns ---------------------------------------------------------------------------------------------


def clean_text(value: str, limit: int) -> str:
    """Plain text as given, without control characters; markup is kept as text and escaped wherever shown."""
    return _CONTROL_CHARS.sub("", value or "").strip()[:limit]


@transaction.atomic
def concern_submit(
    *, organisation, data: dict, submission_key: str, channel: str = Concern.Channel.PUBLIC, reporter=None
) -> tuple[Concern, str | None]:
    """Record a concern exactly once per ``submission_key`` (the form's idempotency token). Returns the concern
    and, when newly created, the secret token of the reporter's status link (only its hash is stored);
    officers are emailed after the commit."""
    existing = Concern.objects.filter(submission_token=submission_key).first()
    if existing is not None:
        if existing.organisation_id != organisation.pk:
            raise ServiceError(_("This form has already been used."))
        return existing, None
    limit = settings.TRUST_CONCERN_MAX_LENGTH
    what = clean_text(data.get("what_happened", ""), limit + 1)
    if not what:
        raise ServiceError(_("Tell us what happened."), field="what_happened")
    if len(what) > limit:
        raise ServiceError(_("Keep it under %(limit)d characters.") % {"limit": limit}, field="what_happened")
    ai_system = data.get("ai_system")
    if ai_system is not None and ai_system.organisation_id != organisation.pk:
        raise ServiceError(_("Choose a system from the list."), field="ai_system")
    anonymous = bool(data.get("anonymous"))
    status_token = secrets.token_urlsafe(32)
    concern = Concern(
        organisation=organisation,
        channel=channel,
        ai_system=ai_system,
        system_description=clean_text(data.get("system_description", ""), 200),
        what_happened=what,
        occurred=clean_text(data.get("occurred", ""), 100),
        anonymous=anonymous,
        contact_name="" if anonymous else clean_text(data.get("contact_name", ""), 120),
        contact_email="" if anonymous else clean_text(data.get("contact_email", ""), 254),
        reported_by=None if anonymous else reporter,
        submission_token=submission_key,
        status_token_hash=Concern.hash_token(status_token),
    )
    concern.assign_reference()
    try:
        with transaction.atomic():
            save_with_history(concern, actor=None if anonymous else reporter, reason="Reported")
    except IntegrityError:  # the same form posted twice at the same moment
        return Concern.objects.get(submission_token=submission_key), None
    transaction.on_commit(lambda: _notify_officers(concern.pk))
    return concern, status_token


def _notify_officers(concern_pk) -> None:
    """Email the organisation's officers that a concern arrived: the reference and a link, never the text
    (it may hold personal data; they read it in the product)."""
    from django.core.mail import send_mail
    from django.urls import reverse

    from accounts.models import Membership
    from reviews.constants import NotificationKind
    from reviews.services import notify

    concern = Concern.objects.select_related("organisation").get(pk=concern_pk)
    officers = [
        m.user
        for m in Membership.objects.filter(organisation=concern.organisation, role__in=OFFICER_ROLES).select_related(
            "user"
        )
    ]
    path = reverse("trust:concern-detail", args=[concern.pk])
    for officer in officers:  # the bell in the navbar, beside the email
        notify(
            organisation=concern.organisation,
            recipient=officer,
            kind=NotificationKind.INFO,
            title=_("Concern %(reference)s reported") % {"reference": concern.reference},
            url=path,
        )
    emails = sorted({officer.email for officer in officers if officer.email})
    if not emails:
        return
    url = settings.SITE_URL.rstrip("/") + path
    try:
        send_mail(
            _("[AIMS] Concern %(reference)s reported in %(organisation)s")
            % {"reference": concern.reference, "organisation": concern.organisation.name},
            _(
                "A concern about an AI system was reported (%(channel)s).\n\nReference: %(reference)s\nTriage it: %(url)s\n"
            )
            % {"channel": concern.get_channel_display().lower(), "reference": concern.reference, "url": url},
            None,
            emails,
        )
    except Exception:  # the concern is recorded; a mail outage must not turn the reporter's receipt into an error
        logger.exception("Could not email the officers about concern %s", concern.reference)


def concern_by_status_token(token: str) -> Concern | None:
    if not token or len(token) > 100:
        return None
    return Concern.objects.filter(status_token_hash=Concern.hash_token(token)).first()


@transaction.atomic
def concern_triage(*, actor, concern: Concern, into: str, note: str = "") -> Concern:
    """Turn the concern into an incident, a nonconformity or a risk (through those registers' services), or
    record that no further action is needed. A concern is triaged once."""
    from audits import services as audit_services
    from risk import services as risk_services

    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if concern.status != Concern.Status.NEW:
        raise ServiceError(
            _("%(reference)s has already been triaged.") % {"reference": concern.reference}, conflict=True
        )
    if into not in Concern.TriagedInto.values:
        raise ServiceError(_("Choose what the concern becomes."), field="into")
    title = f"Concern {concern.reference}" + (f" about {concern.ai_system.name}" if concern.ai_system else "")
    description = (
        f"Reported through the {concern.get_channel_display().lower()} on {concern.created_at:%Y-%m-%d}"
        f"{' (when: ' + concern.occurred + ')' if concern.occurred else ''}.\n\n{concern.what_happened}"
    )
    systems = [concern.ai_system] if concern.ai_system else []
    organisation = concern.organisation
    if into == Concern.TriagedInto.INCIDENT:
        concern.incident = audit_services.incident_create(
            actor=actor,
            organisation=organisation,
            data={"title": title[:200], "description": description, "ai_systems": systems},
        )
    elif into == Concern.TriagedInto.NONCONFORMITY:
        concern.nonconformity = audit_services.nonconformity_create(
            actor=actor, organisation=organisation, data={"title": title[:200], "description": description}
        )
    elif into == Concern.TriagedInto.RISK:
        concern.risk = risk_services.risk_create(
            actor=actor,
            organisation=organisation,
            data={"title": title[:200], "event": description[:2000], "ai_systems": systems},
        )
    concern.triaged_into = into
    concern.triage_note = (note or "").strip()[:2000]
    concern.status = Concern.Status.CLOSED if into == Concern.TriagedInto.NONE else Concern.Status.TRIAGED
    save_with_history(concern, actor=actor, reason=f"Triaged: {concern.get_triaged_into_display()}")
    return concern


@transaction.atomic
def concern_message_reporter(*, actor, concern: Concern, message: str, close: bool = False) -> Concern:
    """Set the message the reporter reads on their status page (and, with an email address, receives)."""
    message = (message or "").strip()[:2000]
    if not message:
        raise ServiceError(_("Write the message."), field="message")
    concern.reporter_message = message
    if close:
        concern.status = Concern.Status.CLOSED
    save_with_history(concern, actor=actor, reason="Message to the reporter")
    if concern.contact_email:
        from django.core.mail import send_mail

        email, reference, name = concern.contact_email, concern.reference, concern.organisation.name

        def send():
            try:
                send_mail(
                    _("Your concern %(reference)s to %(organisation)s")
                    % {"reference": reference, "organisation": name},
                    _("%(message)s\n\nReference: %(reference)s\n") % {"message": message, "reference": reference},
                    None,
                    [email],
                )
            except Exception:  # the message is saved and shown on the status page either way
                logger.exception("Could not email the reporter of concern %s", reference)

        transaction.on_commit(send)
    return concern
