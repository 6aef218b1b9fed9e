"""Policies (clause 5.2, A.2): Markdown rendered through an allow-list, versions, review and approval that
retires the previous version; and the shared PDF renderer's URL fetcher."""

import pytest
from django.urls import reverse

from aims.pdf import PDFResourceRefused, render_pdf, safe_url_fetcher, static_file_bytes
from aims.services import ServiceError
from controls import services
from controls.constants import PolicyStatus
from controls.markdown import render_markdown
from controls.models import Policy

# --- Markdown --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src=x onerror="alert(1)">', "onerror"),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<a href="data:text/html,<script>x</script>">x</a>', "data:"),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
        ("<style>body{display:none}</style>", "<style"),
        ('<p style="position:fixed">x</p>', "style="),
        ('<form action="/x"><input name=a></form>', "<form"),
    ],
)
def test_markdown_drops_what_is_not_on_the_allow_list(source, forbidden):
    assert forbidden not in str(render_markdown(source)).lower()


def test_markdown_keeps_headings_lists_tables_and_safe_links():
    html = str(
        render_markdown(
            "# Title\n\n1. one\n2. two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[policy](https://example.org) **bold**"
        )
    )
    for fragment in ("<h1>Title</h1>", "<ol>", "<table>", "<td>1</td>", "<strong>bold</strong>"):
        assert fragment in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_policy_page_renders_the_body_safely(org, officer, client_for):
    policy = services.policy_create(
        actor=officer, organisation=org, data={"title": "AI policy", "body": "## Scope\n\n<script>steal()</script>"}
    )
    page = client_for(officer).get(reverse("controls:policy-detail", args=[policy.pk])).content.decode()
    assert "<h2>Scope</h2>" in page
    assert "<script>steal()" not in page


# --- Versions and approval ---------------------------------------------------------------------------------------


def test_an_ai_policy_answers_5_2_and_a_2_2_by_default(catalogue, org, officer):
    policy = services.policy_create(actor=officer, organisation=org, data={"title": "AI policy", "kind": "ai_policy"})
    assert sorted(policy.requirements.values_list("identifier", flat=True)) == ["5.2", "A.2.2"]
    assert (policy.reference, policy.version, policy.status) == ("POL-001", 1, PolicyStatus.DRAFT)


def test_approving_a_new_version_retires_the_previous_one(org, officer):
    first = services.policy_create(actor=officer, organisation=org, data={"title": "AI policy", "body": "v1"})
    services.policy_approve(actor=officer, policy=first)
    second = services.policy_new_version(actor=officer, policy=first)
    assert (second.reference, second.version, second.body, second.status) == ("POL-001", 2, "v1", PolicyStatus.DRAFT)
    services.policy_update(actor=officer, policy=second, data={"body": "v2"})
    services.policy_submit(actor=officer, policy=second)
    services.policy_approve(actor=officer, policy=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == PolicyStatus.RETIRED and first.retired_at is not None
    assert second.status == PolicyStatus.APPROVED and second.approved_by == officer
    assert Policy.objects.filter(reference="POL-001", status=PolicyStatus.APPROVED).count() == 1
    assert first.body == "v1"


def test_approved_text_never_changes(org, officer):
    policy = services.policy_create(actor=officer, organisation=org, data={"title": "AI policy", "body": "v1"})
    services.policy_approve(actor=officer, policy=policy)
    with pytest.raises(ServiceError) as refused:
        services.policy_update(actor=officer, policy=policy, data={"body": "changed"})
    assert refused.value.conflict
    with pytest.raises(ServiceError):
        services.policy_delete(actor=officer, policy=policy)


def test_only_one_draft_at_a_time(org, officer):
    policy = services.policy_create(actor=officer, organisation=org, data={"title": "AI policy", "body": "v1"})
    services.policy_approve(actor=officer, policy=policy)
    services.policy_new_version(actor=officer, policy=policy)
    with pytest.raises(ServiceError):
        services.policy_new_version(actor=officer, policy=policy)


def test_an_empty_policy_cannot_go_for_review_or_be_approved(org, officer):
    policy = services.policy_create(actor=officer, organisation=org, data={"title": "AI policy"})
    with pytest.raises(ServiceError):
        services.policy_submit(actor=officer, policy=policy)
    with pytest.raises(ServiceError):
        services.policy_approve(actor=officer, policy=policy)


def test_a_contributor_cannot_approve(org, officer, members):
    from django.core.exceptions import PermissionDenied

    policy = services.policy_create(actor=officer, organisation=org, data={"title": "AI policy", "body": "x"})
    with pytest.raises(PermissionDenied):
        services.policy_approve(actor=members["contributor"], policy=policy)


def test_policy_workflow_through_the_pages(org, officer, client_for):
    client = client_for(officer)
    response = client.post(
        reverse("controls:policy-create"),
        {"title": "AI policy", "kind": "ai_policy", "body": "# AI policy\n\nWe care."},
    )
    policy = Policy.objects.get()
    assert response.status_code == 302
    client.post(reverse("controls:policy-submit", args=[policy.pk]))
    client.post(reverse("controls:policy-approve", args=[policy.pk]))
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.APPROVED
    response = client.post(reverse("controls:policy-new-version", args=[policy.pk]))
    draft = Policy.objects.get(version=2)
    assert response.url == reverse("controls:policy-update", args=[draft.pk])
    # An approved version's edit page sends you back to it.
    assert client.get(reverse("controls:policy-update", args=[policy.pk])).status_code == 302


def test_policy_list_shows_the_latest_version_unless_asked(org, officer, client_for):
    policy = services.policy_create(actor=officer, organisation=org, data={"title": "AI policy", "body": "x"})
    services.policy_approve(actor=officer, policy=policy)
    services.policy_new_version(actor=officer, policy=policy)
    client = client_for(officer)
    latest = client.get(reverse("controls:policy-list"))
    assert [row.version for row in latest.context["rows"]] == [2]
    every = client.get(reverse("controls:policy-list"), {"all_versions": "true"})
    assert [row.version for row in every.context["rows"]] == [2, 1]


# --- The shared PDF renderer ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.org/logo.png",
        "https://aims-static.invalid/etc/passwd",
        "https://aims-static.invalid/static/../aims/settings.py",
        "ftp://example.org/x",
    ],
)
def test_pdf_fetcher_refuses_everything_but_data_and_static(url):
    with pytest.raises(PDFResourceRefused):
        safe_url_fetcher().fetch(url)


def test_pdf_fetcher_serves_data_urls_and_static_files():
    response = safe_url_fetcher().fetch("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello"
    content, content_type = static_file_bytes("https://aims-static.invalid/static/css/print.css")
    assert b"@page" in content and content_type == "text/css"


def test_render_pdf_leaves_out_forbidden_resources(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    pdf = render_pdf(f'<p>Hello</p><img src="file://{secret}"><link rel="stylesheet" href="/static/css/print.css">')
    assert pdf.startswith(b"%PDF-")
