"""Issue 9: the registers' default first API page runs SQL compiled once (aims/api/fast.py, ``_FirstPageIterable``).

The answer must be the one the ORM's own SQL gives, byte for byte, for every register and page size; each
organisation gets its own rows from the same compiled SQL; an external auditor's scoped reads never use it."""

import datetime as dt

import pytest
import time_machine

from aims.api import fast
from aims.roles import Role

REGISTERS = ["/api/v1/ai-systems/", "/api/v1/risks/", "/api/v1/controls/", "/api/v1/evidence/", "/api/v1/findings/"]


@pytest.fixture(autouse=True)
def _no_compiled_pages():
    fast._FIRST_PAGES.clear()
    fast._FIRST_PAGE_ANSWERS.clear()
    yield
    fast._FIRST_PAGES.clear()
    fast._FIRST_PAGE_ANSWERS.clear()


def _fill(organisation, prefix: str) -> None:
    from audits.tests.factories import AuditFactory, FindingFactory
    from controls.tests.factories import ControlFactory, EvidenceFactory
    from registry.tests.factories import AISystemFactory
    from risk.tests.factories import RiskFactory

    audit = AuditFactory(organisation=organisation)
    for n in range(3):
        system = AISystemFactory(organisation=organisation, name=f"{prefix} system {n}")
        risk = RiskFactory(organisation=organisation, title=f"{prefix} risk {n}")
        risk.ai_systems.add(system)
        control = ControlFactory(organisation=organisation, title=f"{prefix} control {n}")
        control.risks.add(risk)
        EvidenceFactory(organisation=organisation, title=f"{prefix} evidence {n}").controls.add(control)
        FindingFactory(organisation=organisation, audit=audit, title=f"{prefix} finding {n}")


def _without_compiled_sql(monkeypatch):
    monkeypatch.setattr(fast.FastListMixin, "_first_page_shape", lambda self, request: None)


@pytest.mark.parametrize("query", ["", "?page_size=2", "?page_size=500"])
def test_the_compiled_first_page_answers_what_the_orm_does(org, members, api_for, monkeypatch, query):
    _fill(org, "Acme")
    api = api_for(members["officer"], org)
    compiled, scoped = {}, []
    for register in REGISTERS:
        api.get(register + query)  # compiles it
        monkeypatch.setattr(
            "aims.api.views.OrganisationScopedViewSet.scope_queryset", lambda self, qs: scoped.append(qs) or qs
        )
        compiled[register] = api.get(register + query)  # runs the compiled SQL, building no queryset
        monkeypatch.undo()
        assert compiled[register].status_code == 200
    assert scoped == []
    assert len(fast._FIRST_PAGES) == len(fast._FIRST_PAGE_ANSWERS) == len(REGISTERS)
    assert None not in fast._FIRST_PAGES.values()
    _without_compiled_sql(monkeypatch)
    for register in REGISTERS:
        usual = api.get(register + query)
        assert compiled[register].content == usual.content, register
        assert len(usual.json()["results"]) == (2 if query == "?page_size=2" else 3)
        if query == "?page_size=2":  # the next page's cursor comes from the compiled page's last row
            following = api.get(compiled[register].json()["next"])
            assert len(following.json()["results"]) == 1


def test_each_organisation_gets_its_own_rows_from_the_same_compiled_sql(org, other_org, members, make_member, api_for):
    _fill(org, "Acme")
    _fill(other_org, "Globex")
    acme = api_for(members["officer"], org)
    globex = api_for(make_member(other_org, Role.OFFICER), other_org)
    for _ in range(2):
        for api, prefix in ((acme, "Acme"), (globex, "Globex")):
            names = [row["name"] for row in api.get("/api/v1/ai-systems/").json()["results"]]
            assert names == [f"{prefix} system {n}" for n in range(3)]
    assert len(fast._FIRST_PAGES) == 1


def test_an_external_auditors_scoped_reads_never_use_it(org, members, api_for):
    from accounts import invitations
    from audits.tests.factories import AuditFactory, FindingFactory

    _fill(org, "Acme")
    scoped = AuditFactory(organisation=org, title="Stage 1 certification audit")
    FindingFactory(organisation=org, audit=scoped, title="Scoped finding")
    officer = api_for(members["officer"], org)
    now = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(now, tick=False):
        for _ in range(2):
            assert len(officer.get("/api/v1/findings/").json()["results"]) == 4
        _, token = invitations.invite_auditor(
            actor=members["officer"],
            organisation=org,
            email="lead@certbody.example",
            name="CertBody",
            expires_at=now + dt.timedelta(days=14),
            audit_ids=[scoped.pk],
        )
        auditor = invitations.accept_invitation(token=token, username="certbody", password="Certification-Body-2026")
        browser = api_for(auditor, org)
        assert [row["title"] for row in browser.get("/api/v1/findings/").json()["results"]] == ["Scoped finding"]
