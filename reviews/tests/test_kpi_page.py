"""The KPI page's "take snapshots now" works, and the trend chart reads the snapshots the daily job takes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from audits.constants import SnapshotSource
from audits.models import KPISnapshot
from audits.services import kpi_add_builtin
from registry.tests.factories import AISystemFactory
from reviews import jobs

pytestmark = pytest.mark.django_db


def test_take_snapshots_now_and_the_chart_reads_the_daily_snapshots(org, officer, client_for):
    AISystemFactory(organisation=org)
    kpi = kpi_add_builtin(actor=officer, organisation=org, key="systems_impact_approved")
    client = client_for(officer)
    detail = reverse("audits:kpi-detail", args=[kpi.pk])
    assert b"No values recorded yet." in client.get(detail).content

    response = client.post(reverse("audits:kpi-snapshot-all"))
    assert response.status_code == 302
    assert KPISnapshot.objects.filter(kpi=kpi, source=SnapshotSource.MANUAL).count() == 1

    jobs.daily_kpi_snapshots(now=dt.datetime.now(tz=ZoneInfo("UTC")), force=True)
    assert KPISnapshot.objects.filter(kpi=kpi, source=SnapshotSource.JOB).count() == 1
    page = client.get(detail).content.decode()
    assert "No values recorded yet." not in page and "<polyline" in page
