"""Demo: Northwind publishes a trust page with two AI systems (idempotent: looked up before created)."""

import datetime as dt


def seed_trust(ctx) -> None:
    from registry.models import AISystem
    from trust import services
    from trust.models import PublishedSystem

    organisation = ctx.northwind
    officer = ctx.users.get("officer")
    page = services.trust_page_ensure(organisation, actor=officer)
    if not page.published:
        services.trust_page_update(
            actor=officer,
            page=page,
            data={
                "published": True,
                "introduction": "How Northwind uses AI, who is accountable for it, and how to raise a concern.",
                "publish_introduction": True,
                "policy_summary": "We use AI only for purposes we can explain, with a named owner for every system, "
                "a human able to review any decision that matters to a person, and regular checks for accuracy "
                "and unfair outcomes. We tell people when they deal with AI and act on every concern reported.",
                "publish_policy_summary": True,
                "contact_email": "ai-governance@northwind.example",
                "publish_contact": True,
                "certification_standard": "ISO/IEC 42001:2023",
                "certification_body": "Example Certification Ltd (demo)",
                "certificate_number": "AIMS-DEMO-0001",
                "certificate_valid_from": dt.date(2026, 3, 1),
                "certificate_valid_until": dt.date(2029, 2, 28),
                "publish_certification": True,
            },
        )
    systems = AISystem.objects.filter(organisation=organisation, in_scope=True).order_by("reference")[:2]
    for system in systems:
        if PublishedSystem.objects.filter(ai_system=system).exists():
            continue
        services.published_system_save(
            actor=officer,
            organisation=organisation,
            ai_system=system,
            data={
                "published": True,
                "publish_purpose": True,
                "publish_intended_users": True,
                "publish_human_oversight": True,
                "publish_eu_tier": True,
                "user_information": "You can always ask for a person to review an outcome that affects you; "
                "write to the contact address below.",
                "publish_user_information": True,
            },
        )
