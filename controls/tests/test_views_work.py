"""Pages of controls, the SoA, evidence, policies, the gap analysis and the roadmap: what each role sees and
may do, exports (the SoA PDF with page numbers, version and approval on every page) and query budgets."""

import datetime as dt
import io
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import ROLES
from controls import services
from controls.models import Control, SoALine, SoAVersion
from controls.tests.factories import (
    ControlFactory,
    EvidenceFactory,
    EvidenceRevisionFactory,
    PolicyFactory,
    RoadmapActionFactory,
)
from registry.tests.factories import AISystemFactory
from risk.tests.factories import RiskFactory, TreatmentActionFactory
from tests.query_budget import assert_queries_do_not_grow, count_get


def _decide_all(soa, officer):
    for line in soa.lines.all():
        services.soa_line_update(actor=officer, line=line, data={"applicable": True, "business_need": "x"})


@pytest.fixture
def seeded(soa, org, officer, annex_a):
    control = services.control_create(
        actor=officer,
        organisation=org,
        data={"title": "Bias testing", "implementation_status": "implemented", "requirements": [annex_a["A.6.2.4"]]},
    )
    evidence = services.evidence_create(
        actor=officer, organisation=org, data={"title": "Report", "url": "https://e.org/r", "controls": [control]}
    )
    policy = services.policy_create(actor=officer, organisation=org, data={"title": "AI policy", "body": "# Hi"})
    action = services.roadmap_action_create(
        actor=officer, organisation=org, data={"requirement": annex_a["9.2.2"], "gap_kind": "no_control"}
    )
    _decide_all(soa, officer)
    version = services.soa_approve(actor=officer, soa=soa)
    return {"control": control, "evidence": evidence, "policy": policy, "action": action, "version": version}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_every_page(seeded, soa, members, client_for, role):
    client = client_for(members[role])
    control, evidence, policy = seeded["control"], seeded["evidence"], seeded["policy"]
    urls = [
        reverse("controls:control-list"),
        *[
            reverse("controls:control-detail", args=[control.pk]) + f"?tab={t}"
            for t in ("overview", "requirements", "evidence", "risks", "history")
        ],
        reverse("controls:soa"),
        reverse("controls:soa") + "?history=1",
        reverse("controls:soaversion-detail", args=[seeded["version"].pk]),
        reverse("controls:evidence-list"),
        reverse("controls:evidence-list") + "?state=expired",
        reverse("controls:evidence-detail", args=[evidence.pk]),
        reverse("controls:evidence-detail", args=[evidence.pk]) + "?tab=revisions",
        reverse("controls:policy-list"),
        reverse("controls:policy-detail", args=[policy.pk]),
        reverse("controls:policy-detail", args=[policy.pk]) + "?tab=versions",
        reverse("controls:gap-analysis"),
        reverse("controls:roadmap"),
        reverse("controls:roadmapaction-list"),
        reverse("controls:roadmapaction-detail", args=[seeded["action"].pk]),
        reverse("dashboard"),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("role", "status"), [("officer", 200), ("contributor", 403), ("auditor", 403), ("viewer", 403)]
)
def test_who_may_open_the_soa_line_form(soa, members, client_for, role, status):
    line = soa.lines.first()
    assert client_for(members[role]).get(reverse("controls:soaline-update", args=[line.pk])).status_code == status


def test_a_contributor_edits_the_lines_they_own(soa, members, client_for):
    line = soa.lines.first()
    SoALine.objects.filter(pk=line.pk).update(owner=members["contributor"])
    response = client_for(members["contributor"]).get(reverse("controls:soaline-update", args=[line.pk]))
    assert response.status_code == 200


def test_excluding_a_line_without_justification_shows_the_error(soa, officer, client_for):
    line = soa.lines.get(requirement__identifier="A.10.4")
    url = reverse("controls:soaline-update", args=[line.pk])
    response = client_for(officer).post(url, {"applicable": "no"})
    assert response.status_code == 200
    assert "Explain why the control is not needed here." in response.content.decode()
    line.refresh_from_db()
    assert line.applicable is None


def test_excluding_a_line_of_an_approved_soa_starts_a_draft(seeded, soa, officer, client_for):
    line = soa.lines.get(requirement__identifier="A.10.4")
    response = client_for(officer).post(
        reverse("controls:soaline-update", args=[line.pk]),
        {"applicable": "no", "exclusion_reason": "no_such_activity", "exclusion_justification": "We sell no AI."},
    )
    assert response.status_code == 302 and response.url.endswith("#line-A.10.4")
    soa.refresh_from_db()
    assert (soa.status, soa.version) == ("draft", 2)
    page = client_for(officer).get(reverse("controls:soa")).content.decode()
    assert "Changes since version 1" in page and 'data-testid="approve-soa"' in page


def test_approving_in_the_page(soa, officer, members, client_for):
    _decide_all(soa, officer)
    assert client_for(members["contributor"]).post(reverse("controls:soa-approve")).status_code == 403
    response = client_for(officer).post(reverse("controls:soa-approve"), {"note": "Board"}, follow=True)
    assert "Version 1 of the Statement of Applicability approved." in response.content.decode()
    soa.refresh_from_db()
    assert soa.status == "approved"


def test_approval_refusal_lists_the_lines(soa, officer, client_for):
    response = client_for(officer).post(reverse("controls:soa-approve"), follow=True)
    assert "38 line(s) need attention before approval" in response.content.decode()


def test_implementing_controls_set_in_the_line_form(soa, org, officer, client_for):
    control = services.control_create(actor=officer, organisation=org, data={"title": "Logging"})
    line = soa.lines.get(requirement__identifier="A.6.2.8")
    client_for(officer).post(
        reverse("controls:soaline-update", args=[line.pk]),
        {"applicable": "yes", "business_need": "Trace decisions", "controls": [control.pk]},
    )
    assert list(Control.objects.filter(requirements=line.requirement)) == [control]


# --- Exports -------------------------------------------------------------------------------------------------------


def test_soa_csv_and_xlsx_exports(seeded, officer, client_for):
    client = client_for(officer)
    csv = b"".join(client.get(reverse("controls:soa"), {"export": "csv"}).streaming_content).decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Annex A control,Title,Section,Applicable,Justification")
    assert "A.6.2.4" in csv and seeded["control"].reference in csv and len(csv.splitlines()) == 39
    xlsx = client.get(reverse("controls:soaversion-detail", args=[seeded["version"].pk]), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 39 and sheet["A2"].value == "A.2.2"


def test_soa_pdf_has_page_numbers_version_and_approval_on_every_page(seeded, org, officer, client_for):
    from pypdf import PdfReader

    response = client_for(officer).get(
        reverse("controls:soaversion-detail", args=[seeded["version"].pk]), {"export": "pdf"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    reader = PdfReader(io.BytesIO(response.content))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert org.name in text and "Version 1" in text and "Approved by" in text
    assert "A.10.4" in "".join(pages) and seeded["control"].reference in "".join(pages)


def test_viewer_may_not_export(seeded, members, client_for):
    assert client_for(members["viewer"]).get(reverse("controls:soa"), {"export": "pdf"}).status_code == 403


# --- Controls, risks and systems ------------------------------------------------------------------------------------


def test_control_form_accepts_shipped_requirements(catalogue, annex_a, org, officer, client_for):
    response = client_for(officer).post(
        reverse("controls:control-create"),
        {
            "title": "Event logging",
            "control_type": "technical",
            "implementation_status": "planned",
            "requirements": [annex_a["A.6.2.8"].pk],
        },
    )
    assert response.status_code == 302
    control = Control.objects.get()
    assert list(control.requirements.values_list("identifier", flat=True)) == ["A.6.2.8"]


def test_new_control_form_is_prefilled_from_a_treatment_action(org, officer, client_for):
    system = AISystemFactory(organisation=org)
    risk = RiskFactory(organisation=org)
    risk.ai_systems.add(system)
    action = TreatmentActionFactory(risk=risk, title="Add a reviewer")
    form = client_for(officer).get(reverse("controls:control-create"), {"treatment_action": action.pk}).context["form"]
    assert form.initial["title"] == "Add a reviewer"
    assert form.initial["risks"] == [risk] and form.initial["ai_systems"] == [system]


def test_risk_page_controls_tab_links_a_control(org, officer, members, client_for):
    risk = RiskFactory(organisation=org)
    action = TreatmentActionFactory(risk=risk)
    control = services.control_create(actor=officer, organisation=org, data={"title": "Human review"})
    client = client_for(officer)
    response = client.post(
        reverse("controls:risk-link-control", args=[risk.pk]), {"control": control.pk, "treatment_action": action.pk}
    )
    assert response.url.endswith("?tab=controls")
    assert list(control.risks.all()) == [risk] and list(control.treatment_actions.all()) == [action]
    page = client.get(reverse("risk:risk-detail", args=[risk.pk]), {"tab": "controls"}).content.decode()
    assert 'data-testid="risk-controls"' in page and control.reference in page
    assert (
        client_for(members["viewer"])
        .post(reverse("controls:risk-link-control", args=[risk.pk]), {"control": control.pk})
        .status_code
        == 403
    )


def test_ai_system_page_controls_tab(org, officer, client_for):
    system = AISystemFactory(organisation=org)
    control = services.control_create(
        actor=officer, organisation=org, data={"title": "Monitoring", "ai_systems": [system]}
    )
    page = client_for(officer).get(reverse("registry:aisystem-detail", args=[system.pk]), {"tab": "controls"})
    assert page.status_code == 200 and control.reference in page.content.decode()


def test_dashboard_shows_expired_and_expiring_evidence(org, officer, client_for):
    today = timezone.localdate()
    services.evidence_create(
        actor=officer,
        organisation=org,
        data={"title": "Old minutes", "url": "https://e.org/1", "expiry_date": today - dt.timedelta(days=2)},
    )
    services.evidence_create(
        actor=officer,
        organisation=org,
        data={"title": "Plan", "url": "https://e.org/2", "expiry_date": today + dt.timedelta(days=5)},
    )
    page = client_for(officer).get(reverse("dashboard")).content.decode()
    assert 'data-testid="stat-evidence-expired">1<' in page and 'data-testid="stat-evidence-expiring">1<' in page
    assert "Old minutes" in page


# --- Query budgets -------------------------------------------------------------------------------------------------


def _fill(org, n):
    for _ in range(n):
        control = ControlFactory(organisation=org)
        evidence = EvidenceFactory(organisation=org)
        evidence.controls.add(control)
        EvidenceRevisionFactory(evidence=EvidenceFactory(organisation=org, kind="file", url=""))
        PolicyFactory(organisation=org)
        RoadmapActionFactory(organisation=org, control=control)


def test_list_pages_use_the_same_queries_for_5_and_50_rows(org, officer, client_for):
    client = client_for(officer)
    assert_queries_do_not_grow(
        lambda n: _fill(org, n),
        [
            (client, reverse(name), {"page_size": 100})
            for name in (
                "controls:control-list",
                "controls:evidence-list",
                "controls:policy-list",
                "controls:roadmapaction-list",
            )
        ],
    )


def test_soa_page_and_endpoints_cost_at_most_8_queries_whatever_the_links(
    soa, org, officer, annex_a, client_for, api_for
):
    identifiers = list(soa.lines.values_list("requirement__identifier", flat=True))
    assert len(identifiers) == 38
    unlinked = iter(identifiers)

    def link_lines(n):
        """Give the next ``n`` lines (as many as are left of the 38) a control with a risk and a risk of their own."""
        for identifier in itertools.islice(unlinked, n):
            control = services.control_create(
                actor=officer, organisation=org, data={"title": identifier, "requirements": [annex_a[identifier]]}
            )
            control.risks.add(RiskFactory(organisation=org))
            SoALine.objects.get(soa=soa, requirement__identifier=identifier).risks.add(RiskFactory(organisation=org))

    api = api_for(officer, org)
    assert_queries_do_not_grow(
        link_lines,
        [(client_for(officer), reverse("controls:soa")), (api, "/api/v1/soa/"), (api, "/api/v1/soa/lines/")],
        max_queries=8,
    )
    assert next(unlinked, None) is None, "every line was linked"
    page = client_for(officer).get(reverse("controls:soa")).content.decode()
    assert page.count('data-testid="soa-line-') == 38
    lines = api.get("/api/v1/soa/lines/").json()
    assert all(line["risks"] and line["controls"] for line in lines), "every line shows its risks and controls"
    assert not SoAVersion.objects.exists(), "reading the SoA never freezes a version"


def test_gap_and_roadmap_pages_query_counts_do_not_grow(catalogue, annex_a, org, officer, client_for):
    client = client_for(officer)

    def add(identifier):
        control = services.control_create(
            actor=officer,
            organisation=org,
            data={"title": identifier, "requirements": [annex_a[identifier]], "implementation_status": "partial"},
        )
        control.risks.add(RiskFactory(organisation=org, inherent_level="high"))
        services.roadmap_action_create(
            actor=officer, organisation=org, data={"requirement": annex_a[identifier], "gap_kind": "no_evidence"}
        )

    add("A.2.2")
    for name in ("controls:gap-analysis", "controls:roadmap"):
        count_get(client, reverse(name))
    before = {name: count_get(client, reverse(name)) for name in ("controls:gap-analysis", "controls:roadmap")}
    for identifier in ["A.3.2", "A.4.2", "A.5.2", "A.6.2.4", "A.7.4", "A.8.2", "5.1", "9.1"]:
        add(identifier)
    after = {name: count_get(client, reverse(name)) for name in ("controls:gap-analysis", "controls:roadmap")}
    assert after == before


def test_requirement_page_shows_the_organisations_controls_and_readiness(catalogue, annex_a, org, officer, client_for):
    control = services.control_create(
        actor=officer,
        organisation=org,
        data={"title": "Logging", "implementation_status": "implemented", "requirements": [annex_a["A.6.2.8"]]},
    )
    url = reverse("controls:requirement-detail", args=[annex_a["A.6.2.8"].pk])
    page = client_for(officer).get(url, {"tab": "controls"}).content.decode()
    assert control.reference in page and "Missing: No evidence" in page


def test_treatment_action_page_lists_its_controls(org, officer, client_for):
    action = TreatmentActionFactory(risk=RiskFactory(organisation=org))
    control = services.control_create_for_treatment(actor=officer, treatment_action=action, data={"title": "Review"})
    page = client_for(officer).get(reverse("risk:treatmentaction-detail", args=[action.pk]), {"tab": "controls"})
    assert page.status_code == 200 and control.reference in page.content.decode()


def test_the_notes_of_a_line_are_kept_from_the_form_and_the_api(soa, org, officer, client_for, api_for):
    """Both edit a line through soa_line_update, which once dropped ``notes`` (not among the fields it saves)."""
    line = soa.lines.get(requirement__identifier="A.10.4")
    response = client_for(officer).post(
        reverse("controls:soaline-update", args=[line.pk]),
        {"applicable": "yes", "business_need": "We run models.", "notes": "Reviewed with the CISO."},
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.notes == "Reviewed with the CISO."
    patched = api_for(officer, org).patch(f"/api/v1/soa/lines/{line.pk}/", {"notes": "Rechecked."}, format="json")
    assert patched.status_code == 200 and patched.json()["notes"] == "Rechecked."
    line.refresh_from_db()
    assert line.notes == "Rechecked."
