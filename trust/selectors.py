"""What a visitor of a trust page sees: one dictionary, built only from fields flagged as published, used by
the HTML page, its JSON version and the officers' preview alike, so the three can never disagree."""

from __future__ import annotations

from django.urls import reverse

from registry.models import AISystem
from trust.models import PublishedSystem, TrustPage


def public_page_get(slug: str) -> TrustPage | None:
    """A published trust page by its public address, else ``None`` (a 404: unpublished pages do not exist)."""
    return TrustPage.objects.filter(slug=slug, published=True).select_related("organisation").first()


def public_systems(page: TrustPage) -> list[AISystem]:
    """The AI systems the organisation chose to list (only its own: the listing and the page share it)."""
    return [
        listing.ai_system
        for listing in PublishedSystem.objects.filter(organisation_id=page.organisation_id, published=True)
        .select_related("ai_system")
        .order_by("sort_order", "ai_system__name")
        if listing.ai_system.organisation_id == page.organisation_id
    ]


def public_view(page: TrustPage) -> dict:
    """Everything published, nothing else. Keys absent = not published."""
    view: dict = {"organisation": page.display_name}
    if page.publish_introduction and page.introduction:
        view["introduction"] = page.introduction
    if page.publish_policy_summary and page.policy_summary:
        view["ai_policy_summary"] = page.policy_summary
    if page.publish_contact and (page.contact_email or page.contact_text):
        view["contact"] = {k: v for k, v in (("email", page.contact_email), ("details", page.contact_text)) if v}
    if page.publish_certification:
        cert = {
            "standard": page.certification_standard,
            "certification_body": page.certification_body,
            "certificate_number": page.certificate_number,
            "valid_from": page.certificate_valid_from.isoformat() if page.certificate_valid_from else None,
            "valid_until": page.certificate_valid_until.isoformat() if page.certificate_valid_until else None,
        }
        if page.publish_certificate_file and page.certificate_file:
            cert["certificate_url"] = reverse("trust:certificate", args=[page.slug])
        view["certification"] = cert
    systems = []
    listings = (
        PublishedSystem.objects.filter(organisation_id=page.organisation_id, published=True)
        .select_related("ai_system")
        .order_by("sort_order", "ai_system__name")
    )
    for listing in listings:
        system = listing.ai_system
        if system.organisation_id != page.organisation_id:
            continue
        entry = {"name": system.name}
        if listing.publish_purpose and system.intended_purpose:
            entry["intended_purpose"] = system.intended_purpose
        if listing.publish_intended_users and system.intended_users:
            entry["intended_users"] = system.intended_users
        if listing.publish_human_oversight and system.human_oversight:
            entry["human_oversight"] = system.human_oversight
        if listing.publish_eu_tier:
            entry["eu_ai_act_tier"] = system.get_eu_tier_display()
        if listing.publish_user_information and listing.user_information:
            entry["information_for_users"] = listing.user_information
        systems.append(entry)
    view["ai_systems"] = systems
    if page.accept_concerns:
        view["report_a_concern"] = reverse("trust:concern", args=[page.slug])
    return view
