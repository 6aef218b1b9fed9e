"""Built-in KPIs against hand-counted data, with a constant number of queries; snapshots, RAG and trend."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from audits import builtin_kpis, services
from audits.models import KPI, KPISnapshot
from audits.rag import rag_status, threshold_problems, trend_word
from audits.tests.factories import (
    CorrectiveActionFactory,
    IncidentFactory,
    KPIFactory,
    NonconformityFactory,
)
from controls.tests.factories import ControlFactory, EvidenceFactory, SoAFactory, SoALineFactory
from governance.tests.factories import (
    AcknowledgementFactory,
    AcknowledgementRequirementFactory,
    AimsRoleFactory,
    CompetenceFactory,
    ObjectiveFactory,
    PolicyFactory,
    RoleAssignmentFactory,
    TrainingCourseFactory,
    TrainingRecordFactory,
    member_of,
)
from registry.tests.factories import AISystemFactory
from risk.tests.factories import ImpactAssessmentFactory, RiskAssessmentFactory, RiskFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 15)
D = Decimal


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def compute(key, org, today=TODAY):
    return builtin_kpis.compute(key, org, today)


# --- Each computation against data counted by hand ----------------------------------------------------------------


def test_systems_risk_assessed_counts_in_scope_systems_with_a_recent_completed_assessment(org, other_org):
    s1, s2, s3, s4 = (AISystemFactory(organisation=org) for _ in range(4))
    out_of_scope = AISystemFactory(organisation=org, in_scope=False)
    retired = AISystemFactory(organisation=org, deployment_status="retired")
    RiskAssessmentFactory(
        organisation=org, ai_systems=[s1, out_of_scope, retired], status="completed", assessment_date=days(-30)
    )
    RiskAssessmentFactory(organisation=org, ai_systems=[s2], status="approved", assessment_date=days(-400))
    RiskAssessmentFactory(organisation=org, ai_systems=[s3], status="in_progress", assessment_date=days(-5))
    RiskAssessmentFactory(
        organisation=other_org,
        ai_systems=[AISystemFactory(organisation=other_org)],
        status="approved",
        assessment_date=days(-5),
    )
    assert s4  # in scope, never assessed
    measure = compute("systems_risk_assessed", org)
    assert measure.breakdown == {"numerator": 1, "denominator": 4}
    assert measure.value == D("25.0")


def test_systems_impact_approved_counts_approved_assessments_only(org):
    s1, s2, s3 = (AISystemFactory(organisation=org) for _ in range(3))
    ImpactAssessmentFactory(ai_system=s1, status="approved")
    ImpactAssessmentFactory(ai_system=s2, status="draft")
    ImpactAssessmentFactory(ai_system=AISystemFactory(organisation=org, in_scope=False), status="approved")
    assert s3
    measure = compute("systems_impact_approved", org)
    assert measure.breakdown == {"numerator": 1, "denominator": 3}
    assert measure.value == D("33.3")


def test_open_high_critical_risks_uses_the_current_level(org, other_org):
    RiskFactory(organisation=org, inherent_level="high")
    RiskFactory(organisation=org, inherent_level="critical", residual_level="medium")  # treated down
    RiskFactory(organisation=org, inherent_level="critical")
    RiskFactory(organisation=org, inherent_level="medium")
    RiskFactory(organisation=org, inherent_level="critical", status="closed")
    RiskFactory(organisation=other_org, inherent_level="high")
    measure = compute("open_high_critical_risks", org)
    assert measure.value == 2
    assert measure.breakdown == {"count": 2, "high": 1, "critical": 1}


def test_annex_a_implemented_derives_each_line_from_its_controls_like_the_soa(org):
    soa = SoAFactory(organisation=org)
    lines = [SoALineFactory(soa=soa) for _ in range(6)]
    lines[4].applicable = False
    lines[4].save()

    def control(line, status):
        ControlFactory(organisation=org, implementation_status=status).requirements.add(line.requirement)

    control(lines[0], "implemented")  # implemented
    control(lines[1], "implemented")
    control(lines[1], "partial")  # partly: not implemented
    control(lines[2], "implemented")
    control(lines[2], "not_applicable")  # N/A does not count against it
    # lines[3]: no control
    control(lines[4], "implemented")  # excluded line: not in the denominator
    control(lines[5], "not_applicable")  # only N/A: not implemented
    measure = compute("annex_a_implemented", org)
    assert measure.breakdown == {"numerator": 2, "denominator": 5}
    assert measure.value == D("40.0")


def test_evidence_expired_counts_evidence_past_its_expiry(org, other_org):
    EvidenceFactory(organisation=org, expiry_date=days(-1))
    EvidenceFactory(organisation=org, expiry_date=days(-400))
    EvidenceFactory(organisation=org, expiry_date=TODAY)  # still valid today
    EvidenceFactory(organisation=org)
    EvidenceFactory(organisation=other_org, expiry_date=days(-1))
    assert compute("evidence_expired", org).value == 2


def test_overdue_corrective_actions_counts_open_actions_past_due(org, other_org):
    nc = NonconformityFactory(organisation=org)
    CorrectiveActionFactory(nonconformity=nc, status="planned", due_date=days(-1))
    CorrectiveActionFactory(nonconformity=nc, status="in_progress", due_date=days(-7))
    CorrectiveActionFactory(nonconformity=nc, status="done", due_date=days(-7))
    CorrectiveActionFactory(nonconformity=nc, status="planned", due_date=days(1))
    CorrectiveActionFactory(nonconformity=nc, status="planned", due_date=None)
    CorrectiveActionFactory(nonconformity=NonconformityFactory(organisation=other_org), due_date=days(-3))
    assert compute("overdue_corrective_actions", org).value == 2


def test_mean_days_to_close_counts_the_last_twelve_months(org):
    def closed(days_ago, took):
        at = timezone.make_aware(dt.datetime.combine(days(-days_ago), dt.time(12)))
        NonconformityFactory(organisation=org, status="closed", closed_at=at, days_to_close=took)

    closed(10, 20)
    closed(100, 41)
    closed(400, 100)  # too old
    NonconformityFactory(organisation=org)  # open
    measure = compute("mean_days_to_close_nc", org)
    assert measure.value == D("30.5")
    assert measure.breakdown == {"closed": 2}


def test_mean_days_to_close_has_no_value_before_any_closure(org):
    assert compute("mean_days_to_close_nc", org).value is None


def test_incidents_this_month_counts_in_the_organisations_time_zone(org):
    utc = dt.UTC

    def at(*args):
        return dt.datetime(*args, tzinfo=utc)

    IncidentFactory(organisation=org, detected_at=at(2026, 3, 1, 0, 30), severity="high")  # 00:30 GMT, March
    IncidentFactory(organisation=org, detected_at=at(2026, 2, 28, 23, 30), severity="high")  # February
    IncidentFactory(organisation=org, detected_at=at(2026, 3, 31, 22, 30), severity="low")  # 23:30 BST, March
    IncidentFactory(organisation=org, detected_at=at(2026, 3, 31, 23, 30), severity="low")  # 00:30 BST, April
    IncidentFactory(organisation=org, detected_at=at(2026, 3, 10, 12, 0), severity="critical")
    measure = compute("incidents_this_month", org)
    assert measure.value == 3
    assert measure.breakdown["by_severity"] == {"low": 1, "medium": 0, "high": 1, "critical": 1}


def test_training_compliance_counts_required_competences_backed_by_valid_training(org, officer):
    today = timezone.localdate()
    r1, r2 = AimsRoleFactory(organisation=org), AimsRoleFactory(organisation=org)
    c1, c2, c3 = (CompetenceFactory(organisation=org) for _ in range(3))
    c1.roles.set([r1])
    c2.roles.set([r1, r2])
    c3.roles.set([r2])
    a, b, former, future = (member_of(org) for _ in range(4))
    RoleAssignmentFactory(role=r1, member=a)
    RoleAssignmentFactory(role=r2, member=b)
    RoleAssignmentFactory(
        role=r1, member=former, start=today - dt.timedelta(days=300), end=today - dt.timedelta(days=30)
    )
    RoleAssignmentFactory(role=r1, member=future, start=today + dt.timedelta(days=30))
    k1 = TrainingCourseFactory(organisation=org, competences=[c1])
    k2 = TrainingCourseFactory(organisation=org, competences=[c2, c3])
    TrainingRecordFactory(organisation=org, member=a, course=k1, expires_on=None)
    TrainingRecordFactory(organisation=org, member=a, course=k2, result="failed")
    TrainingRecordFactory(
        organisation=org,
        member=b,
        course=k2,
        completed_on=today - dt.timedelta(days=800),
        expires_on=today - dt.timedelta(days=1),
    )
    TrainingRecordFactory(
        organisation=org, member=b, course=k2, result="attended", expires_on=today + dt.timedelta(days=365)
    )
    TrainingRecordFactory(organisation=org, member=former, course=k2)
    measure = builtin_kpis.compute("training_compliance", org, today)
    assert measure.breakdown == {"numerator": 3, "denominator": 4}
    assert measure.value == D("75.0")
    # The competence matrix (governance) counts the same cells.
    from governance.selectors import competence_matrix

    counts = competence_matrix(user=officer, organisation=org, today=today).counts
    assert (counts["met"] + counts["expiring"], sum(counts.values())) == (3, 4)


def test_policy_acknowledgement_counts_owed_and_given_acknowledgements(org, members):
    p1 = PolicyFactory(organisation=org)
    p2 = PolicyFactory(organisation=org)
    draft = PolicyFactory(organisation=org, status="draft", approved_at=None)
    AcknowledgementRequirementFactory(
        organisation=org, policy_reference=p1.reference, membership_roles="officer,contributor"
    )
    AcknowledgementRequirementFactory(organisation=org, policy_reference=p2.reference, membership_roles="auditor")
    AcknowledgementRequirementFactory(organisation=org, policy_reference=draft.reference, membership_roles="viewer")
    AcknowledgementFactory(policy=p1, member=members["officer"])
    AcknowledgementFactory(policy=p2, member=members["auditor"])
    measure = compute("policy_acknowledgement", org)
    assert measure.breakdown == {"numerator": 2, "denominator": 3}
    assert measure.value == D("66.7")


# --- Constant queries ------------------------------------------------------------------------------------------------


def _grow(key, org, n):
    """``n`` more rows of what ``key`` reads."""
    for _ in range(n):
        if key in ("systems_risk_assessed", "systems_impact_approved"):
            system = AISystemFactory(organisation=org)
            RiskAssessmentFactory(organisation=org, ai_systems=[system], status="completed", assessment_date=days(-3))
            ImpactAssessmentFactory(ai_system=system, status="approved")
        elif key == "open_high_critical_risks":
            RiskFactory(organisation=org, inherent_level="high")
        elif key == "annex_a_implemented":
            line = SoALineFactory(soa=SoAFactory(organisation=org))
            ControlFactory(organisation=org).requirements.add(line.requirement)
        elif key == "evidence_expired":
            EvidenceFactory(organisation=org, expiry_date=days(-2))
        elif key == "overdue_corrective_actions":
            CorrectiveActionFactory(nonconformity=NonconformityFactory(organisation=org), due_date=days(-2))
        elif key == "mean_days_to_close_nc":
            NonconformityFactory(organisation=org, status="closed", closed_at=timezone.now(), days_to_close=9)
        elif key == "incidents_this_month":
            IncidentFactory(organisation=org, detected_at=dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC))
        elif key == "training_compliance":
            role = AimsRoleFactory(organisation=org)
            competence = CompetenceFactory(organisation=org, roles=[role])
            assignment = RoleAssignmentFactory(role=role)
            course = TrainingCourseFactory(organisation=org, competences=[competence])
            TrainingRecordFactory(organisation=org, member=assignment.member, course=course)
        elif key == "policy_acknowledgement":
            policy = PolicyFactory(organisation=org)
            AcknowledgementRequirementFactory(organisation=org, policy_reference=policy.reference)
            AcknowledgementFactory(policy=policy)


@pytest.mark.parametrize("key", list(builtin_kpis.BUILTINS))
def test_each_builtin_kpi_takes_the_same_number_of_queries_for_5_and_50_rows(key, org, count_queries):
    _grow(key, org, 5)
    few = count_queries(compute, key, org)
    _grow(key, org, 45)
    many = count_queries(compute, key, org)
    assert few == many
    assert few <= 6


# --- Snapshots ------------------------------------------------------------------------------------------------------


@pytest.fixture
def builtin_kpi(org, officer):
    return services.kpi_add_builtin(actor=officer, organisation=org, key="evidence_expired", owner=officer)


def test_the_job_takes_one_snapshot_per_kpi_and_day(org, builtin_kpi):
    EvidenceFactory(organisation=org, expiry_date=timezone.localdate() - dt.timedelta(days=3))
    first = services.kpi_snapshot_take(organisation=org, source="job")
    EvidenceFactory(organisation=org, expiry_date=timezone.localdate() - dt.timedelta(days=3))
    again = services.kpi_snapshot_take(organisation=org, source="job")
    assert [s.pk for s in first] == [s.pk for s in again]
    assert KPISnapshot.objects.filter(kpi=builtin_kpi).count() == 1
    snapshot = first[0]
    assert (snapshot.value, snapshot.source, snapshot.job, snapshot.taken_by) == (1, "job", "snapshot_kpis", None)
    tomorrow = timezone.now() + dt.timedelta(days=1)
    services.kpi_snapshot_take(organisation=org, source="job", now=tomorrow)
    assert KPISnapshot.objects.filter(kpi=builtin_kpi).count() == 2


def test_the_job_day_is_the_organisations_day(org, builtin_kpi):
    """23:30 UTC on 30 June is already 1 July in London (BST): two different days for the job."""
    services.kpi_snapshot_take(organisation=org, source="job", now=dt.datetime(2026, 6, 30, 22, 30, tzinfo=dt.UTC))
    services.kpi_snapshot_take(organisation=org, source="job", now=dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC))
    days_taken = sorted(KPISnapshot.objects.filter(kpi=builtin_kpi).values_list("taken_on", flat=True))
    assert days_taken == [dt.date(2026, 6, 30), dt.date(2026, 7, 1)]


def test_snapshots_on_demand_record_who_took_them(org, officer, builtin_kpi):
    services.kpi_snapshot_take(organisation=org, kpi=builtin_kpi, actor=officer)
    services.kpi_snapshot_take(organisation=org, kpi=builtin_kpi, actor=officer)
    snapshots = list(KPISnapshot.objects.filter(kpi=builtin_kpi))
    assert len(snapshots) == 2
    assert {(s.source, s.taken_by) for s in snapshots} == {("manual", officer)}


def test_a_kpi_with_nothing_to_measure_gets_no_snapshot(org, officer):
    kpi = services.kpi_add_builtin(actor=officer, organisation=org, key="systems_risk_assessed")
    assert services.kpi_snapshot_take(organisation=org, kpi=kpi) == []


def test_inactive_and_manual_kpis_are_not_taken_by_the_job(org, officer, builtin_kpi):
    services.kpi_update(actor=officer, kpi=builtin_kpi, data={"is_active": False})
    KPIFactory(organisation=org)
    assert services.kpi_snapshot_take(organisation=org, source="job") == []


def test_latest_values_rag_and_trend_follow_the_snapshots(org, officer):
    kpi = services.kpi_create(
        actor=officer,
        organisation=org,
        data={
            "name": "Fairness gap",
            "kind": "manual",
            "unit": "pp",
            "direction": "lower",
            "target": D("2"),
            "amber_threshold": D("3"),
            "red_threshold": D("5"),
        },
    )
    now = timezone.now()
    services.kpi_record_value(actor=officer, kpi=kpi, value="6.1", taken_at=now - dt.timedelta(days=60))
    services.kpi_record_value(actor=officer, kpi=kpi, value="4.2", taken_at=now - dt.timedelta(days=30))
    kpi.refresh_from_db()
    assert (kpi.last_value, kpi.previous_value, kpi.rag, kpi.trend) == (D("4.2"), D("6.1"), "amber", "better")
    # A late entry for an earlier month does not become the latest value.
    services.kpi_record_value(actor=officer, kpi=kpi, value="9", taken_at=now - dt.timedelta(days=90))
    kpi.refresh_from_db()
    assert kpi.last_value == D("4.2")


def test_a_value_of_a_kpi_measuring_an_approved_objective_is_recorded_against_it(org, officer):
    objective = ObjectiveFactory(organisation=org, status="approved", owner=officer)
    kpi = services.kpi_create(
        actor=officer, organisation=org, data={"name": "Tested share", "kind": "manual", "objective": objective}
    )
    services.kpi_record_value(actor=officer, kpi=kpi, value="87.5")
    objective.refresh_from_db()
    assert (objective.current_value, objective.measured_on) == (D("87.50"), timezone.localdate())


def test_a_draft_objective_is_left_alone(org, officer):
    objective = ObjectiveFactory(organisation=org, status="draft")
    kpi = services.kpi_create(actor=officer, organisation=org, data={"name": "X", "objective": objective})
    services.kpi_record_value(actor=officer, kpi=kpi, value="50")
    objective.refresh_from_db()
    assert objective.current_value is None


def test_a_computed_kpi_refuses_values_typed_in(org, officer, builtin_kpi):
    with pytest.raises(services.ServiceError) as err:
        services.kpi_record_value(actor=officer, kpi=builtin_kpi, value="3")
    assert err.value.conflict


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", "1e20", None])
def test_bad_values_are_refused_on_the_value_field(org, officer, value):
    kpi = KPIFactory(organisation=org)
    with pytest.raises(services.ServiceError) as err:
        services.kpi_record_value(actor=officer, kpi=kpi, value=value)
    assert "value" in err.value.message_dict
    assert not kpi.snapshots.exists()


def test_a_value_dated_in_the_future_is_refused(org, officer):
    kpi = KPIFactory(organisation=org)
    with pytest.raises(services.ServiceError) as err:
        services.kpi_record_value(actor=officer, kpi=kpi, value="1", taken_at=timezone.now() + dt.timedelta(days=2))
    assert "taken_at" in err.value.message_dict


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "X", "kind": "builtin", "builtin_key": "nope"}, "builtin_key"),
        ({"name": "X", "kind": "manual", "builtin_key": "evidence_expired"}, "builtin_key"),
        ({"name": "X", "direction": "higher", "target": D(90), "red_threshold": D(95)}, "red_threshold"),
        (
            {"name": "X", "direction": "lower", "target": D(2), "amber_threshold": D(3), "red_threshold": D(1)},
            "red_threshold",
        ),
        ({"name": ""}, "name"),
        ({"name": "X", "direction": "sideways"}, "direction"),
    ],
)
def test_kpi_definitions_are_checked(org, officer, data, field):
    with pytest.raises(services.ServiceError) as err:
        services.kpi_create(actor=officer, organisation=org, data=data)
    assert field in err.value.message_dict
    assert not KPI.objects.filter(organisation=org).exists()


def test_a_computation_is_in_the_register_once(org, officer, builtin_kpi):
    with pytest.raises(services.ServiceError) as err:
        services.kpi_add_builtin(actor=officer, organisation=org, key="evidence_expired")
    assert "builtin_key" in err.value.message_dict


def test_a_kpi_with_values_is_deactivated_not_deleted(org, officer, builtin_kpi):
    EvidenceFactory(organisation=org, expiry_date=timezone.localdate() - dt.timedelta(days=1))
    services.kpi_snapshot_take(organisation=org, kpi=builtin_kpi)
    with pytest.raises(services.ServiceError):
        services.kpi_delete(actor=officer, kpi=builtin_kpi)
    with pytest.raises(services.ServiceError) as err:
        services.kpi_update(actor=officer, kpi=builtin_kpi, data={"kind": "manual", "builtin_key": ""})
    assert "kind" in err.value.message_dict


# --- RAG and trend ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "direction", "target", "amber", "red", "expected"),
    [
        (95, "higher", 90, None, None, "green"),
        (90, "higher", 90, None, None, "green"),  # equal is on the better side
        (89, "higher", 90, None, None, "amber"),
        (89, "higher", 90, 85, 70, "green"),  # within the tolerance the amber threshold gives
        (80, "higher", 90, 85, 70, "amber"),
        (69, "higher", 90, 85, 70, "red"),
        (1, "lower", 2, None, 5, "green"),
        (3, "lower", 2, None, 5, "amber"),
        (6, "lower", 2, 3, 5, "red"),
        (None, "higher", 90, None, None, "none"),
        (5, "higher", None, None, None, "none"),
    ],
)
def test_rag_status(value, direction, target, amber, red, expected):
    assert rag_status(value, direction=direction, target=target, amber=amber, red=red) == expected


def test_trend_and_threshold_checks():
    assert trend_word(5, 4, direction="higher") == "better"
    assert trend_word(5, 4, direction="lower") == "worse"
    assert trend_word(4, 4, direction="lower") == "steady"
    assert trend_word(4, None, direction="lower") == ""
    assert threshold_problems(direction="higher", target=D(90), amber=D(85), red=D(70)) == {}
    assert "red_threshold" in threshold_problems(direction="higher", target=D(90), amber=None, red=D(95))


def test_off_target_means_worse_than_the_target_whatever_the_colour(org):
    within_tolerance = KPIFactory(
        organisation=org, direction="lower", target=D(2), amber_threshold=D(3), last_value=D("2.4")
    )
    assert (within_tolerance.rag, within_tolerance.off_target) == ("green", True)
    met = KPIFactory(organisation=org, direction="lower", target=D(2), last_value=D("1.5"))
    assert (met.rag, met.off_target) == ("green", False)
    no_target = KPIFactory(organisation=org, target=None, amber_threshold=D(50), last_value=D(40))
    assert (no_target.rag, no_target.off_target) == ("amber", True)
    assert KPIFactory(organisation=org, last_value=None).off_target is False
