"""The governance pages in German, and the texts of the documented-information list in the catalogue."""

import pytest
import yaml
from django.utils import translation

from governance import docindex
from governance.docindex_messages import MESSAGES
from governance.tests.factories import (
    AimsRoleFactory,
    CompetenceFactory,
    ObjectiveFactory,
    RaciEntryFactory,
    RoleAssignmentFactory,
    member_of,
)
from governance.views_roles import RoleAssignView

pytestmark = pytest.mark.django_db


def _german(client, url: str) -> str:
    # The override is the language without a locale middleware; the header is what a locale middleware that
    # falls back on the browser's language reads, so the page is German either way.
    with translation.override("de"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    return response.content.decode()


def test_the_documented_information_texts_are_all_listed_for_translation():
    data = yaml.safe_load(docindex.DATA_FILE.read_text(encoding="utf-8"))
    texts = {
        item[key]
        for item in data["items"]
        for key in ("title", "description", "holder", "pending_note")
        if item.get(key)
    }
    missing = texts - set(MESSAGES)
    assert not missing, f"add these to governance/docindex_messages.py: {sorted(missing)}"


def test_roles_and_raci_pages_read_in_german(client_for, officer, org):
    role = AimsRoleFactory(organisation=org, name="KI-Beauftragte", reports_performance=True)
    RoleAssignmentFactory(role=role, member=member_of(org, "priya"))
    RaciEntryFactory(role=role, process="policy", code="A")
    client = client_for(officer)

    roles = _german(client, "/governance/roles/")
    assert "AIMS-Rollen und Verantwortlichkeiten" in roles and "Berichtet Leistung" in roles
    assert "AIMS roles and responsibilities" not in roles

    raci = _german(client, "/governance/raci/")
    assert "RACI-Matrix" in raci and "KI-Politik (5.2)" in raci
    assert "keine Rolle ist durchführungsverantwortlich" in raci  # the policy row has an A but no R
    assert "no role is responsible" not in raci

    holders = _german(client, f"/governance/roles/{role.pk}/?tab=holders")
    assert "Mitglied zuweisen" in holders and "Heute beenden" in holders


def test_objective_and_competence_pages_read_in_german(client_for, officer, org):
    objective = ObjectiveFactory(organisation=org, target=None)
    role = AimsRoleFactory(organisation=org)
    RoleAssignmentFactory(role=role, member=member_of(org, "sam"))
    CompetenceFactory(organisation=org, roles=[role])
    client = client_for(officer)

    listing = _german(client, "/governance/objectives/")
    assert "KI-Ziele" in listing and "Frist" in listing

    detail = _german(client, f"/governance/objectives/{objective.pk}/")
    assert "Noch nicht genehmigungsreif." in detail
    assert "Legen Sie vor der Genehmigung des Ziels den Zielwert fest." in detail  # the service's problem list

    matrix = _german(client, "/governance/competence-matrix/")
    assert "Kompetenzmatrix" in matrix and "Fehlt" in matrix and "Lücken" in matrix


def test_leadership_and_documented_information_read_in_german(client_for, officer, org):
    client = client_for(officer)
    leadership = _german(client, "/governance/leadership/")
    assert "Sicht der Leitung" in leadership and "0 KI-Ziele mit überschrittener Frist" in leadership

    index = _german(client, "/governance/documented-information/")
    assert "Dokumentierte Information" in index and "Anwendungsbereich des AIMS" in index


def test_flash_message_follows_the_language(rf, officer, org):
    role = AimsRoleFactory(organisation=org, name="Datenschutz")
    assignment = RoleAssignmentFactory(role=role, member=member_of(org, "kim"))
    with translation.override("de"):
        message = RoleAssignView().success_message(role, assignment)
    assert message == "kim hat jetzt die Rolle Datenschutz inne."
