"""Fixtures of the audits tests: an audit with a checklist on the organisation's own requirements (no dependence
on the shipped catalogue), and a helper to count queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.fixture
def requirements(org):
    """Three requirements of an own framework of ``org``."""
    from controls.tests.factories import FrameworkFactory, RequirementFactory

    framework = FrameworkFactory(organisation=org, name="Acme AI standard", key="acme-std")
    return [
        RequirementFactory(framework=framework, identifier=f"R{i}", title=f"Requirement {i}", sort_order=i)
        for i in (1, 2, 3)
    ]


@pytest.fixture
def audit(org, officer, members, requirements):
    """A planned audit led by the auditor, with a checklist of three lines."""
    from audits import services

    return services.audit_create(
        actor=officer,
        organisation=org,
        data={"title": "AI operations audit", "lead_auditor": members["auditor"], "criteria": requirements},
    )


@pytest.fixture
def count_queries():
    def _count(func, *args, **kwargs):
        with CaptureQueriesContext(connection) as ctx:
            func(*args, **kwargs)
        return len(ctx.captured_queries)

    return _count
