"""The CSV registers in a pack: a fixed number of queries per register, however many rows it has."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits.tests.factories import AuditFactory, FindingFactory, IncidentFactory, NonconformityFactory
from controls.tests.factories import ControlFactory, EvidenceFactory, PolicyFactory, RequirementFactory
from registry.tests.factories import AISystemFactory, DatasetFactory, SupplierFactory
from reports.registers import register_csv_chunks, registers
from reports.sections import PackContext
from risk.tests.factories import ImpactAssessmentFactory, RiskFactory, TreatmentActionFactory

pytestmark = pytest.mark.django_db


def _add_rows(org, n):
    """``n`` more rows in the registers whose exports read links, foreign keys or properties."""
    requirement = RequirementFactory()
    for _ in range(n):
        system = AISystemFactory(organisation=org, business_owner=None)
        risk = RiskFactory(organisation=org)
        risk.ai_systems.add(system)
        TreatmentActionFactory(organisation=org, risk=risk)
        control = ControlFactory(organisation=org)
        control.risks.add(risk)
        control.requirements.add(requirement)
        evidence = EvidenceFactory(organisation=org)
        evidence.controls.add(control)
        evidence.requirements.add(requirement)
        supplier = SupplierFactory(organisation=org)
        supplier.ai_systems.add(system)
        DatasetFactory(organisation=org, supplier=supplier)
        PolicyFactory(organisation=org)
        ImpactAssessmentFactory(organisation=org, ai_system=system)
        audit = AuditFactory(organisation=org)
        audit.ai_systems.add(system)
        NonconformityFactory(organisation=org, finding=FindingFactory(organisation=org, audit=audit))
        IncidentFactory(organisation=org).ai_systems.add(system)


def _export(org):
    """{register: (queries, rows)} of every register as the pack writes it."""
    ctx = PackContext(organisation=org, as_of=timezone.now())
    counted = {}
    for name, view in registers():
        with CaptureQueriesContext(connection) as queries:
            text = "".join(register_csv_chunks(view, ctx))
        counted[name] = (len(queries.captured_queries), len(list(csv.reader(io.StringIO(text)))) - 1)
    return counted


def test_each_register_costs_the_same_queries_for_2_rows_as_for_8(org):
    _add_rows(org, 2)
    few = _export(org)
    _add_rows(org, 6)
    many = _export(org)
    for name in ("ai-systems", "risks", "controls", "evidence", "suppliers", "audits", "incidents"):
        assert many[name][1] > few[name][1], name  # the rows did grow
    grew = {name: (few[name][0], many[name][0]) for name in few if many[name][0] != few[name][0]}
    assert not grew, f"queries grew with the rows (2 rows -> 8 rows): {grew}"
