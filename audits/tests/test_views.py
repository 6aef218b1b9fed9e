"""The audits pages: every page renders for every role, lists cost the same queries for 5 and 50 rows, forms
refuse bad input without saving, roles are enforced, and the PDFs are PDFs."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audits import services
from audits.models import Audit, ChecklistItem, Incident, KPISnapshot, Nonconformity
from audits.tests.factories import (
    AuditFactory,
    AuditProgrammeFactory,
    ChecklistItemFactory,
    CorrectiveActionFactory,
    FindingFactory,
    IncidentEscalationFactory,
    IncidentFactory,
    KPIFactory,
    KPISnapshotFactory,
    ManagementReviewFactory,
    NonconformityFactory,
    ReviewActionFactory,
)
from conftest import ROLES
from controls.tests.factories import ControlFactory
from registry.tests.factories import AISystemFactory
from tests.query_budget import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db

LISTS = [
    "audits:programme-list",
    "audits:audit-list",
    "audits:finding-list",
    "audits:nonconformity-list",
    "audits:correctiveaction-list",
    "audits:kpi-list",
    "audits:review-list",
    "audits:reviewaction-list",
    "audits:incident-list",
]


def _rows(org, officer, n):
    """``n`` of everything, linked the way real data is."""
    for i in range(n):
        system = AISystemFactory(organisation=org, eu_tier="high")
        programme = AuditProgrammeFactory(organisation=org, owner=officer)
        audit = AuditFactory(organisation=org, programme=programme, lead_auditor=officer)
        audit.ai_systems.add(system)
        item = ChecklistItemFactory(audit=audit, result="minor_nc", recorded_by=officer)
        finding = FindingFactory(audit=audit, checklist_item=item, kind="minor_nc", raised_by=officer)
        nc = NonconformityFactory(organisation=org, finding=finding, owner=officer, detected_by=officer)
        CorrectiveActionFactory(nonconformity=nc, owner=officer, due_date=timezone.localdate() - dt.timedelta(days=i))
        kpi = KPIFactory(organisation=org, owner=officer, last_value=50 + i, previous_value=49)
        KPISnapshotFactory(kpi=kpi)
        ReviewActionFactory(decision__review=ManagementReviewFactory(organisation=org, chair=officer), owner=officer)
        incident = IncidentFactory(
            organisation=org,
            owner=officer,
            reported_by=officer,
            serious=i % 2 == 0,
            reporting_deadline=timezone.now() + dt.timedelta(days=i) if i % 2 == 0 else None,
            nonconformity=nc,
        )
        incident.ai_systems.add(system)
        IncidentEscalationFactory(incident=incident)


def test_list_pages_dashboard_and_audit_tabs_cost_the_same_queries_for_5_and_50_rows(client_for, officer, org):
    from controls.tests.factories import EvidenceFactory

    audit = AuditFactory(organisation=org, lead_auditor=officer)

    def grow(n):
        _rows(org, officer, n)
        for _ in range(n):  # lines of one audit, for its tabs
            item = ChecklistItemFactory(audit=audit, result="minor_nc", recorded_by=officer)
            item.evidence.add(EvidenceFactory(organisation=org))
            finding = FindingFactory(audit=audit, checklist_item=item, kind="minor_nc", raised_by=officer)
            NonconformityFactory(organisation=org, finding=finding)

    detail = reverse("audits:audit-detail", args=[audit.pk])
    client = client_for(officer)
    assert_queries_do_not_grow(
        grow,
        [(client, reverse(name)) for name in [*LISTS, "dashboard"]]
        + [(client, detail, {"tab": tab}) for tab in ("checklist", "findings", "report")],
    )


@pytest.fixture
def demo(org, officer, members):
    """One record of each kind, made through the services."""
    from audits.tests.factories import own_requirement

    auditor = members["auditor"]
    requirement = own_requirement(org, identifier="R9", title="Keep logs")
    system = AISystemFactory(organisation=org, eu_tier="high")
    audit = services.audit_create(
        actor=officer,
        organisation=org,
        data={"title": "Ops audit", "lead_auditor": auditor, "criteria": [requirement], "ai_systems": [system]},
    )
    item = audit.checklist.get()
    services.checklist_record(actor=auditor, item=item, data={"result": "minor_nc", "notes": "Logs kept 7 days."})
    nc = Nonconformity.objects.get()
    action = services.corrective_action_add(actor=officer, nonconformity=nc, data={"title": "Keep 90 days"})
    kpi = services.kpi_create(actor=officer, organisation=org, data={"name": "Gap", "unit": "pp", "direction": "lower"})
    services.kpi_record_value(actor=officer, kpi=kpi, value="3")
    builtin = services.kpi_add_builtin(actor=officer, organisation=org, key="open_high_critical_risks")
    review = services.review_create(
        actor=officer, organisation=org, data={"title": "Q1", "planned_date": timezone.localdate()}
    )
    services.review_prepare(actor=officer, review=review)
    services.review_add_decision(
        actor=officer,
        review=review,
        kind="improvement",
        decision="Do it.",
        owner=officer,
        due_date=timezone.localdate(),
    )
    incident = services.incident_create(
        actor=officer,
        organisation=org,
        data={
            "title": "Bad advice",
            "description": "x",
            "ai_systems": [system],
            "serious": True,
            "aware_at": timezone.now() - dt.timedelta(days=1),
        },
    )
    programme = AuditProgrammeFactory(organisation=org)
    return {
        "audit": audit,
        "item": item,
        "nc": nc,
        "action": action,
        "kpi": kpi,
        "builtin": builtin,
        "review": review,
        "incident": incident,
        "programme": programme,
        "finding": nc.finding,
        "system": system,
        "review_action": review.actions.get(),
    }


def _detail_urls(demo):
    return [
        reverse("audits:audit-detail", args=[demo["audit"].pk]) + f"?tab={tab}"
        for tab in ("overview", "checklist", "findings", "report", "history")
    ] + [
        reverse("audits:programme-detail", args=[demo["programme"].pk]),
        reverse("audits:checklistitem-detail", args=[demo["item"].pk]),
        reverse("audits:finding-detail", args=[demo["finding"].pk]),
        reverse("audits:nonconformity-detail", args=[demo["nc"].pk]),
        reverse("audits:nonconformity-detail", args=[demo["nc"].pk]) + "?tab=actions",
        reverse("audits:correctiveaction-detail", args=[demo["action"].pk]),
        reverse("audits:kpi-detail", args=[demo["kpi"].pk]),
        reverse("audits:kpi-detail", args=[demo["builtin"].pk]) + "?tab=snapshots",
        reverse("audits:review-detail", args=[demo["review"].pk]),
        reverse("audits:review-detail", args=[demo["review"].pk]) + "?tab=inputs",
        reverse("audits:review-detail", args=[demo["review"].pk]) + "?tab=decisions",
        reverse("audits:reviewaction-detail", args=[demo["review_action"].pk]),
        reverse("audits:incident-detail", args=[demo["incident"].pk]),
        reverse("audits:incident-detail", args=[demo["incident"].pk]) + "?tab=reporting",
        reverse("registry:aisystem-detail", args=[demo["system"].pk]) + "?tab=audits",
        reverse("dashboard"),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_renders_for_every_role(client_for, members, demo, role):
    client = client_for(members[role])
    for name in LISTS:
        assert client.get(reverse(name)).status_code == 200, name
    for url in _detail_urls(demo):
        assert client.get(url).status_code == 200, url


def test_the_serious_incident_page_shows_the_deadline_in_the_organisations_time(client_for, officer, demo):
    page = client_for(officer).get(reverse("audits:incident-detail", args=[demo["incident"].pk])).content.decode()
    assert "Report to the market surveillance authority by" in page
    assert "Europe/London" in page
    local = timezone.localtime(
        demo["incident"].reporting_deadline - dt.timedelta(minutes=1), timezone.get_default_timezone()
    )
    assert local.strftime("%H:%M") in ("23:59",) or "23:59" in page


@pytest.mark.parametrize(
    ("role", "status"), [("auditor", 302), ("officer", 302), ("viewer", 403), ("contributor", 403)]
)
def test_who_may_record_a_checklist_result(client_for, members, demo, role, status):
    response = client_for(members[role]).post(
        reverse("audits:checklistitem-detail", args=[demo["item"].pk]),
        {"result": "major_nc", "notes": "Seen by " + role},
    )
    assert response.status_code == status
    demo["item"].refresh_from_db()
    assert (demo["item"].result == "major_nc") == (status == 302)


def test_a_result_on_own_work_asks_for_the_acknowledgement_then_keeps_the_warning(client_for, members, demo, org):
    auditor = members["auditor"]
    ControlFactory(organisation=org, owner=auditor).requirements.add(demo["item"].requirement)
    client = client_for(auditor)
    url = reverse("audits:checklistitem-detail", args=[demo["item"].pk])
    page = client.get(url).content.decode()
    assert 'data-testid="independence-warning"' in page
    response = client.post(url, {"result": "major_nc", "notes": "Worse."})
    assert response.status_code == 200
    assert "Acknowledge this warning" in response.content.decode()
    demo["item"].refresh_from_db()
    assert demo["item"].result == "minor_nc"
    response = client.post(url, {"result": "major_nc", "notes": "Worse.", "acknowledge_independence": "on"})
    assert response.status_code == 302
    demo["item"].refresh_from_db()
    assert demo["item"].independence_acknowledged_by == auditor
    assert "owns work under audit" in demo["item"].independence_warning


@pytest.mark.parametrize(
    ("name", "data", "error_field"),
    [
        (
            "audits:audit-create",
            {"title": "X", "importance": "medium", "planned_start": "2026-05-02", "planned_end": "2026-05-01"},
            "planned_end",
        ),
        ("audits:audit-create", {"title": "", "importance": "medium"}, "title"),
        (
            "audits:nonconformity-create",
            {
                "title": "X",
                "description": "",
                "grade": "minor",
                "source": "report",
                "root_cause_method": "five_whys",
                "detected_on": "2026-01-01",
            },
            "description",
        ),
        (
            "audits:kpi-create",
            {"name": "X", "kind": "builtin", "builtin_key": "", "direction": "higher"},
            "builtin_key",
        ),
        (
            "audits:incident-create",
            {
                "title": "X",
                "description": "Y",
                "severity": "medium",
                "status": "open",
                "detected_at": "2999-01-01T10:00",
            },
            "detected_at",
        ),
        ("audits:review-create", {"title": "Q", "planned_date": "not a date"}, "planned_date"),
    ],
)
def test_bad_input_shows_field_errors_and_saves_nothing(client_for, officer, org, name, data, error_field):
    from django.apps import apps

    before = {m: m.objects.count() for m in apps.get_app_config("audits").get_models()}
    response = client_for(officer).post(reverse(name), data)
    assert response.status_code == 200
    assert error_field in response.context["form"].errors
    assert {m: m.objects.count() for m in before} == before


def test_a_kpi_value_that_is_not_a_number_is_refused(client_for, officer, demo):
    url = reverse("audits:kpi-record", args=[demo["kpi"].pk])
    response = client_for(officer).post(url, {"value": "lots"})
    assert response.status_code == 200
    assert "value" in response.context["value_form"].errors
    assert KPISnapshot.objects.filter(kpi=demo["kpi"]).count() == 1


def test_the_officer_plans_verifies_and_closes_through_the_pages(client_for, officer, demo):
    client = client_for(officer)
    nc, action = demo["nc"], demo["action"]
    assert client.post(reverse("audits:nonconformity-close", args=[nc.pk])).status_code == 302
    nc.refresh_from_db()
    assert nc.status != "closed"  # refused: nothing verified
    client.post(
        reverse("audits:nonconformity-update", args=[nc.pk]),
        {
            "title": nc.title,
            "grade": "minor",
            "detected_on": nc.detected_on.isoformat(),
            "description": nc.description,
            "root_cause_method": "free_text",
            "root_cause": "No retention rule.",
        },
    )
    client.post(reverse("audits:correctiveaction-complete", args=[action.pk]), {"complete-note": "Set to 90 days."})
    client.post(
        reverse("audits:correctiveaction-verify", args=[action.pk]),
        {"verify-effectiveness": "effective", "verify-note": "Checked the log store."},
    )
    response = client.post(reverse("audits:nonconformity-close", args=[nc.pk]), {"close-note": "Done."})
    assert response.status_code == 302
    nc.refresh_from_db()
    assert nc.status == "closed"


def test_a_contributor_cannot_verify_effectiveness(client_for, members, demo):
    action = demo["action"]
    services.corrective_action_complete(actor=members["officer"], action=action)
    response = client_for(members["contributor"]).post(
        reverse("audits:correctiveaction-verify", args=[action.pk]),
        {"verify-effectiveness": "effective", "verify-note": "Looks fine."},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(("role", "status"), [("auditor", 200), ("officer", 200), ("viewer", 403)])
def test_the_pdfs_are_for_those_who_may_export(client_for, members, demo, role, status):
    client = client_for(members[role])
    for url in (
        reverse("audits:audit-report-pdf", args=[demo["audit"].pk]),
        reverse("audits:review-minutes-pdf", args=[demo["review"].pk]),
    ):
        response = client.get(url)
        assert response.status_code == status
        if status == 200:
            assert response["Content-Type"] == "application/pdf"
            assert response.content.startswith(b"%PDF")


def test_the_report_pdf_holds_the_results_and_findings(demo):
    from pypdf import PdfReader  # noqa: I001 — optional, only here
    import io

    from audits.reports import audit_report_pdf

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(audit_report_pdf(demo["audit"]))).pages)
    assert "Results per requirement" in text and "R9" in text and demo["finding"].reference in text


@pytest.mark.parametrize("name", LISTS)
def test_lists_export_as_csv(client_for, officer, demo, name):
    response = client_for(officer).get(reverse(name) + "?export=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert b"Reference" in b"".join(response.streaming_content)


def test_the_incident_list_shows_open_incidents_by_severity_and_deadline(client_for, officer, org):
    now = timezone.now()
    IncidentFactory(organisation=org, title="Closed critical", severity="critical", status="closed")
    IncidentFactory(organisation=org, title="Open low", severity="low")
    IncidentFactory(
        organisation=org,
        title="Open critical, later deadline",
        severity="critical",
        reporting_deadline=now + dt.timedelta(days=9),
    )
    IncidentFactory(
        organisation=org,
        title="Open critical, sooner deadline",
        severity="critical",
        reporting_deadline=now + dt.timedelta(days=2),
    )
    rows = list(client_for(officer).get(reverse("audits:incident-list")).context["rows"])
    assert [r.title for r in rows] == [
        "Open critical, sooner deadline",
        "Open critical, later deadline",
        "Open low",
        "Closed critical",
    ]


def test_another_organisations_evidence_cannot_be_chosen(client_for, members, demo, other_org):
    from controls.tests.factories import EvidenceFactory

    theirs = EvidenceFactory(organisation=other_org)
    response = client_for(members["auditor"]).post(
        reverse("audits:checklistitem-detail", args=[demo["item"].pk]),
        {"result": "conforming", "notes": "x", "evidence": [str(theirs.pk)]},
    )
    assert response.status_code == 200
    assert "evidence" in response.context["form"].errors


def test_checklist_lines_of_another_organisation_are_not_found(client_for, members, other_org):
    item = ChecklistItemFactory(audit=AuditFactory(organisation=other_org))
    response = client_for(members["auditor"]).post(
        reverse("audits:checklistitem-detail", args=[item.pk]), {"result": "conforming"}
    )
    assert response.status_code == 404
    assert not ChecklistItem.objects.filter(pk=item.pk, result="conforming").exists()
    assert Audit.objects.filter(organisation=other_org).count() == 1
    assert Incident.objects.count() == 0


def test_an_objective_shows_the_kpis_that_measure_it(client_for, officer, org):
    from governance.tests.factories import ObjectiveFactory

    objective = ObjectiveFactory(organisation=org, status="approved", owner=officer)
    kpi = services.kpi_create(actor=officer, organisation=org, data={"name": "Tested share", "objective": objective})
    services.kpi_record_value(actor=officer, kpi=kpi, value="80")
    page = client_for(officer).get(reverse("governance:objective-detail", args=[objective.pk]) + "?tab=kpis")
    assert page.status_code == 200
    assert kpi.reference in page.content.decode()


@pytest.mark.parametrize("data", [{}, {"kind": "ofi", "title": "Nice to have"}])
def test_only_auditors_and_officers_add_findings(client_for, members, demo, data):
    url = reverse("audits:audit-add-finding", args=[demo["audit"].pk])
    assert client_for(members["viewer"]).post(url, data).status_code == 403
    assert client_for(members["contributor"]).post(url, data).status_code == 403
    response = client_for(members["auditor"]).post(url, {"kind": "ofi", "title": "Nice to have"})
    assert response.status_code == 302
    assert demo["audit"].findings.filter(title="Nice to have").exists()


def test_incident_times_are_entered_in_the_organisations_time(client_for, officer, org):
    """10:00 typed on 20 March in London is 10:00 GMT; the 15 days end at local midnight, 23:00 UTC on 4 April."""
    system = AISystemFactory(organisation=org, eu_tier="high")
    response = client_for(officer).post(
        reverse("audits:incident-create"),
        {
            "title": "Unsafe advice",
            "description": "Self-care advised for chest pain.",
            "ai_systems": [str(system.pk)],
            "severity": "critical",
            "status": "open",
            "detected_at": "2026-03-20T09:00",
            "aware_at": "2026-03-20T10:00",
            "serious": "on",
            "serious_category": "general",
            "harm_types": ["health_safety"],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    incident = Incident.objects.get()
    assert incident.aware_at == dt.datetime(2026, 3, 20, 10, 0, tzinfo=dt.UTC)
    assert incident.reporting_deadline == dt.datetime(2026, 4, 4, 23, 0, tzinfo=dt.UTC)
    page = client_for(officer).get(reverse("audits:incident-detail", args=[incident.pk])).content.decode()
    assert "Saturday 4 April 2026, 23:59 BST" in page
