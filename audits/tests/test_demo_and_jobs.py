"""The demo data holds what the issue asks for and can be seeded twice; the snapshot command is idempotent per day;
the documented-information index finds the audit records."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from audits.models import (
    KPI,
    Audit,
    ChecklistItem,
    CorrectiveAction,
    Finding,
    Incident,
    KPISnapshot,
    ManagementReview,
    Nonconformity,
    ReviewAction,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db):
    from controls.catalogue import load_catalogue
    from controls.models import Framework

    if Framework.objects.shipped().count() < 5:
        load_catalogue()


def _counts():
    models = (
        KPI,
        KPISnapshot,
        Audit,
        ChecklistItem,
        Finding,
        Nonconformity,
        CorrectiveAction,
        ManagementReview,
        ReviewAction,
        Incident,
    )
    return {m.__name__: m.objects.count() for m in models}


def test_the_demo_tells_the_whole_chain_and_seeds_twice_without_duplicates(catalogue):
    call_command("seed_demo", stdout=None)
    first = _counts()
    call_command("seed_demo", stdout=None)
    assert _counts() == first

    from accounts.models import Organisation

    northwind = Organisation.objects.get(slug="northwind")
    audit = Audit.objects.get(organisation=northwind, reference="AUD-001")
    assert audit.status == "closed" and audit.findings.count() >= 2
    assert audit.checklist.exclude(independence_warning="").exists()  # the warning, acknowledged and kept
    ncs = {nc.status: nc for nc in Nonconformity.objects.filter(organisation=northwind)}
    assert set(ncs) == {"closed", "action_planned"}
    assert ncs["closed"].actions.filter(effectiveness="effective").exists()
    assert ncs["action_planned"].actions.get().overdue
    review = ManagementReview.objects.get(organisation=northwind, reference="MR-001")
    today = timezone.localdate()
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    assert review.status == "held" and review.held_on < quarter_start
    previous_quarter_start = (quarter_start - dt.timedelta(days=80)).replace(day=1)
    assert review.held_on >= previous_quarter_start
    assert review.actions.count() == 3 and review.inputs["nonconformities"]["rows"]
    monthly = KPISnapshot.objects.filter(kpi__organisation=northwind, kpi__reference="KPI-004")
    assert monthly.count() >= 12
    assert monthly.order_by("taken_at").first().taken_at < timezone.now() - dt.timedelta(days=330)
    incidents = Incident.objects.filter(organisation=northwind)
    assert incidents.count() == 3
    running = [i for i in incidents if i.clock_running]
    assert len(running) == 1 and running[0].reporting_deadline > timezone.now()


def test_the_snapshot_command_takes_one_snapshot_per_kpi_and_day(org, officer):
    from audits import services

    kpi = services.kpi_add_builtin(actor=officer, organisation=org, key="open_high_critical_risks")
    call_command("snapshot_kpis")
    call_command("snapshot_kpis", organisation=org.slug)
    assert KPISnapshot.objects.filter(kpi=kpi, source="job").count() == 1
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("snapshot_kpis", organisation="no-such-org")


def test_the_documented_information_index_finds_the_audit_records(org, officer):
    from audits import services
    from governance.docindex import resolve

    assert resolve("nonconformities", org) is None
    services.nonconformity_create(actor=officer, organisation=org, data={"title": "x", "description": "y"})
    assert "1 nonconformity" in resolve("nonconformities", org).label
    assert resolve("management_review", org) is None
    kpi = services.kpi_create(actor=officer, organisation=org, data={"name": "Gap"})
    services.kpi_record_value(actor=officer, kpi=kpi, value="1")
    assert resolve("monitoring_results", org).label.startswith("1 KPI value")
    programme = services.programme_create(
        actor=officer,
        organisation=org,
        data={"title": "2026", "period_start": dt.date(2026, 1, 1), "period_end": dt.date(2026, 12, 31)},
    )
    holding = resolve("audit_programme", org)
    assert holding.complete is False and programme.reference in holding.label
