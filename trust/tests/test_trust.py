"""Trust page: only what is published is public (page and JSON alike), one organisation's page never shows
another's data; concerns: bad input refused or neutralised, flooding throttled, exactly one record per form."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from registry.tests.factories import AISystemFactory
from tests.query_budget import assert_queries_at_most, assert_queries_do_not_grow
from trust import protection, selectors, services
from trust.models import Concern

SECRET = "SECRET-unpublished"


@pytest.fixture
def page(org, officer):
    page = services.trust_page_ensure(org, actor=officer)
    services.trust_page_update(
        actor=officer,
        page=page,
        data={
            "published": True,
            "policy_summary": "We use AI with care.",
            "publish_policy_summary": True,
            "introduction": f"intro {SECRET}",
            "publish_introduction": False,
            "contact_email": "secret-contact@acme.example",
            "publish_contact": False,
            "certification_body": f"Body {SECRET}",
            "publish_certification": False,
        },
    )
    shown = AISystemFactory(
        organisation=org,
        name="Claims helper",
        intended_purpose="Sort claims",
        intended_users=f"Agents {SECRET}",
        human_oversight="A handler checks every rejection",
    )
    services.published_system_save(
        actor=officer,
        organisation=org,
        ai_system=shown,
        data={
            "published": True,
            "publish_purpose": True,
            "publish_human_oversight": True,
            "user_information": f"info {SECRET}",
            "publish_user_information": False,
        },
    )
    hidden = AISystemFactory(organisation=org, name=f"Hidden system {SECRET}")
    services.published_system_save(
        actor=officer, organisation=org, ai_system=hidden, data={"published": False, "publish_purpose": True}
    )
    AISystemFactory(organisation=org, name=f"Never listed {SECRET}")
    page.refresh_from_db()
    return page


def _public(client, page):
    html = client.get(reverse("trust:public", args=[page.slug]))
    data = client.get(reverse("trust:public-json", args=[page.slug]))
    return html, data


def test_only_published_fields_and_systems_are_public(client, page):
    html, data = _public(client, page)
    assert html.status_code == 200 and data.status_code == 200
    body, payload = html.content.decode(), data.content.decode()
    assert "We use AI with care." in body and "Claims helper" in body and "A handler checks every rejection" in body
    for text in (body, payload):
        assert SECRET not in text
        assert "secret-contact" not in text
    assert data.json()["ai_systems"] == [
        {
            "name": "Claims helper",
            "intended_purpose": "Sort claims",
            "human_oversight": "A handler checks every rejection",
        }
    ]
    assert "certification" not in data.json() and "contact" not in data.json()


def test_publishing_a_field_makes_it_appear(client, page, officer):
    services.trust_page_update(actor=officer, page=page, data={"publish_contact": True, "publish_certification": True})
    payload = client.get(reverse("trust:public-json", args=[page.slug])).json()
    assert payload["contact"] == {"email": "secret-contact@acme.example"}
    assert payload["certification"]["certification_body"].startswith("Body")


def test_an_unpublished_page_does_not_exist(client, page, officer):
    services.trust_page_update(actor=officer, page=page, data={"published": False})
    html, data = _public(client, page)
    assert html.status_code == 404 and data.status_code == 404
    assert client.get(reverse("trust:concern", args=[page.slug])).status_code == 404


def test_one_organisations_page_never_shows_anothers_data(client, page, other_org, outsider):
    other = services.trust_page_ensure(other_org, actor=outsider)
    services.trust_page_update(
        actor=outsider,
        page=other,
        data={"published": True, "policy_summary": "Globex words", "publish_policy_summary": True},
    )
    globex_system = AISystemFactory(organisation=other_org, name="Globex secret system")
    services.published_system_save(
        actor=outsider, organisation=other_org, ai_system=globex_system, data={"published": True}
    )
    html, data = _public(client, page)
    assert "Globex" not in html.content.decode() and "Globex" not in data.content.decode()
    html, data = _public(client, other)
    assert "Claims helper" not in html.content.decode() and "Acme" not in data.content.decode()
    assert [s["name"] for s in data.json()["ai_systems"]] == ["Globex secret system"]
    # A listing cannot name another organisation's system.
    from aims.services import ServiceError

    with pytest.raises(ServiceError):
        services.published_system_save(
            actor=outsider,
            organisation=other_org,
            ai_system=AISystemFactory(organisation=page.organisation),
            data={"published": True},
        )


def test_the_preview_shows_exactly_the_public_view(client_for, officer, page, client):
    preview = client_for(officer).get(reverse("trust:preview"))
    assert preview.status_code == 200 and preview.context["view"] == selectors.public_view(page)
    assert SECRET not in preview.content.decode()


def test_settings_page_saves_flags_for_officers_only(client_for, members, org):
    r = client_for(members["officer"]).post(
        reverse("trust:settings"),
        {
            "slug": "acme-trust",
            "display_name": "Acme",
            "certification_standard": "ISO/IEC 42001:2023",
            "published": "on",
        },
    )
    assert r.status_code == 302
    assert client_for(members["viewer"]).post(reverse("trust:settings"), {"slug": "x"}).status_code == 403
    assert selectors.public_page_get("acme-trust") is not None


def test_the_certificate_is_a_checked_pdf_downloadable_only_when_published(client, page, officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from aims.services import ServiceError

    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    with pytest.raises(ServiceError):
        services.trust_page_update(
            actor=officer, page=page, data={}, certificate=SimpleUploadedFile("c.pdf", b"not a pdf at all")
        )
    services.trust_page_update(
        actor=officer, page=page, data={"publish_certification": True}, certificate=SimpleUploadedFile("c.pdf", pdf)
    )
    url = reverse("trust:certificate", args=[page.slug])
    assert client.get(url).status_code == 404  # the file itself is not published yet
    services.trust_page_update(actor=officer, page=page, data={"publish_certificate_file": True})
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


# --- Concerns ----------------------------------------------------------------------------------------------


def _form(client, page):
    response = client.get(reverse("trust:concern", args=[page.slug]))
    return re.search(r'name="form_token" value="([^"]+)"', response.content.decode()).group(1)


def _post(client, page, token, **extra):
    data = {"what_happened": "It rejected my claim without reason.", "anonymous": "on", "form_token": token, **extra}
    return client.post(reverse("trust:concern", args=[page.slug]), data)


def test_a_concern_is_recorded_once_and_officers_are_emailed(
    client, page, members, no_fill_delay, django_capture_on_commit_callbacks
):
    token = _form(client, page)
    with django_capture_on_commit_callbacks(execute=True):
        first = _post(client, page, token)
    assert first.status_code == 302
    receipt = client.get(first["Location"])
    reference = Concern.objects.get().reference
    assert reference in receipt.content.decode()
    status_link = re.search(r'data-testid="status-link"[^>]*>([^<]+)<', receipt.content.decode()).group(1)
    second = _post(client, page, token)  # the same form sent again (double click, reload)
    assert second.status_code == 302 and Concern.objects.count() == 1
    # The officers: the AIMS officer and the owner (who holds the officer's rights too).
    assert [m.to for m in mail.outbox] == [sorted([members["officer"].email, members["owner"].email])]
    assert "It rejected my claim" not in mail.outbox[0].body  # the text stays in the product
    from reviews.models import Notification

    (bell,) = Notification.objects.filter(recipient=members["officer"])
    assert reference in bell.title and bell.organisation == page.organisation
    status = client.get(status_link)
    assert status.status_code == 200 and reference in status.content.decode()
    assert "It rejected my claim" not in status.content.decode()  # the status page reveals no record content
    assert client.get(reverse("trust:concern-status", args=["guess"])).status_code == 404


@pytest.mark.parametrize(
    "data, field",
    [
        ({"what_happened": ""}, "what_happened"),
        ({"what_happened": "   "}, "what_happened"),
        ({"what_happened": "x" * 5001}, "what_happened"),
        ({"contact_email": "not-an-email", "anonymous": ""}, "contact_email"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(client, page, no_fill_delay, data, field):
    response = _post(client, page, _form(client, page), **data)
    assert response.status_code == 400 and field in response.context["form"].errors
    assert Concern.objects.count() == 0


def test_script_content_is_kept_as_text_and_never_executed(client, client_for, page, officer, no_fill_delay):
    assert _post(client, page, _form(client, page), what_happened="nul \x00 byte").status_code == 400
    _post(client, page, _form(client, page), what_happened="<script>alert('x')</script>\x07 bad")
    concern = Concern.objects.get()
    assert "\x07" not in concern.what_happened
    html = client_for(officer).get(reverse("trust:concern-detail", args=[concern.pk])).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_a_too_large_request_is_refused(client, page, no_fill_delay):
    response = _post(client, page, _form(client, page), what_happened="y" * 70_000)
    assert response.status_code == 413 and Concern.objects.count() == 0


def test_the_honeypot_and_a_too_fast_form_create_nothing(client, page, settings, no_fill_delay):
    response = _post(client, page, _form(client, page), website="http://spam.example")
    assert response.status_code == 302 and Concern.objects.count() == 0  # the bot is told nothing
    settings.TRUST_CONCERN_MIN_FILL_SECONDS = 3600
    response = _post(client, page, _form(client, page))
    assert response.status_code == 400 and Concern.objects.count() == 0
    assert _post(client, page, "forged-token").status_code == 400


def test_a_form_of_another_organisation_is_refused(client, page, other_org, no_fill_delay):
    token = protection.form_token(other_org)
    assert _post(client, page, token).status_code == 400 and Concern.objects.count() == 0


def test_flooding_is_throttled_per_ip_and_per_organisation(client, page, settings, no_fill_delay):
    settings.TRUST_CONCERN_RATE_PER_IP = 3
    for _ in range(3):
        assert _post(client, page, _form(client, page)).status_code == 302
    assert _post(client, page, _form(client, page)).status_code == 429
    assert Concern.objects.count() == 3
    settings.TRUST_CONCERN_RATE_PER_IP = 100
    settings.TRUST_CONCERN_RATE_PER_ORGANISATION = 4  # 4 attempts so far: the organisation's budget is spent
    response = client.post(
        reverse("trust:concern", args=[page.slug]),
        {"form_token": _form(client, page), "what_happened": "x"},
        REMOTE_ADDR="10.9.9.9",
    )
    assert response.status_code == 429


def test_concerns_are_triaged_into_incident_nonconformity_or_risk(officer, org, page, no_fill_delay):
    made = []
    for i, into in enumerate(["incident", "nonconformity", "risk"]):
        concern, _ = services.concern_submit(
            organisation=org, data={"what_happened": f"case {i}"}, submission_key=f"k{i}"
        )
        services.concern_triage(actor=officer, concern=concern, into=into)
        concern.refresh_from_db()
        made.append(concern)
    assert made[0].incident.organisation == org and made[1].nonconformity and made[2].risk
    assert all(c.status == Concern.Status.TRIAGED for c in made)
    from aims.services import ServiceError

    with pytest.raises(ServiceError):
        services.concern_triage(actor=officer, concern=made[0], into="risk")


def test_in_product_report_and_message_to_the_reporter(
    client_for, members, org, no_fill_delay, django_capture_on_commit_callbacks
):
    client = client_for(members["viewer"])
    form = client.get(reverse("trust:concern-report")).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', form).group(1)
    response = client.post(
        reverse("trust:concern-report"),
        {
            "what_happened": "The model gives odd advice",
            "form_token": token,
            "contact_email": "v@acme.example",
        },
    )
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.channel == "product" and concern.reported_by == members["viewer"]
    officer_client = client_for(members["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(
            reverse("trust:concern-detail", args=[concern.pk]),
            {"action": "message", "message": "We are looking into it."},
        )
    concern.refresh_from_db()
    assert concern.reporter_message == "We are looking into it."
    assert mail.outbox[-1].to == ["v@acme.example"]
    # A viewer may read the register, not triage it.
    assert (
        client.post(
            reverse("trust:concern-detail", args=[concern.pk]), {"action": "triage", "into": "risk"}
        ).status_code
        == 403
    )


def test_the_demo_seeder_publishes_northwinds_page_once(db, client):
    from accounts.tests.factories import OrganisationFactory, UserFactory
    from aims.demo import DemoContext
    from trust.demo import seed_trust
    from trust.models import PublishedSystem, TrustPage

    northwind = OrganisationFactory(name="Northwind", slug="northwind")
    AISystemFactory(organisation=northwind, name="Demo system")
    ctx = DemoContext(northwind=northwind, contoso=OrganisationFactory(), users={"officer": UserFactory()})
    seed_trust(ctx)
    seed_trust(ctx)
    assert TrustPage.objects.count() == 1 and PublishedSystem.objects.count() == 1
    payload = client.get(reverse("trust:public-json", args=["northwind"])).json()
    assert payload["certification"]["certificate_number"] == "AIMS-DEMO-0001"
    assert [s["name"] for s in payload["ai_systems"]] == ["Demo system"]


def test_public_page_and_concern_list_cost_the_same_queries_for_5_and_50_systems(
    client, client_for, officer, org, page
):
    from trust.tests.factories import ConcernFactory

    def grow(n):
        for _ in range(n):
            system = AISystemFactory(organisation=org)
            services.published_system_save(
                actor=officer,
                organisation=org,
                ai_system=system,
                data={"published": True, "publish_purpose": True, "publish_eu_tier": True},
            )
            ConcernFactory(organisation=org, ai_system=system)

    public = reverse("trust:public", args=[page.slug])
    assert_queries_do_not_grow(
        grow, [(client, public), (client_for(officer), reverse("trust:concern-list"))], max_queries=15
    )
    assert_queries_at_most(12, [(client, public)])
