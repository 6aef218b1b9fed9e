import pytest

from controls.tests.factories import ControlFactory, EvidenceRevisionFactory, SoALineFactory
from registry.tests.factories import AISystemFactory
from risk.tests.factories import RiskFactory


@pytest.fixture(autouse=True)
def _reports_dir(settings, tmp_path):
    """Packs of a test go to its own folder."""
    settings.REPORTS_DIR = tmp_path / "reports"
    return settings.REPORTS_DIR


@pytest.fixture
def small_org(org):
    """A small AIMS: a system, a risk, a control with file evidence, an SoA line justified by a business need."""
    system = AISystemFactory(organisation=org, name="Triage assistant")
    risk = RiskFactory(organisation=org, title="Unfair triage")
    risk.ai_systems.add(system)
    control = ControlFactory(organisation=org, title="Bias testing before release")
    control.risks.add(risk)
    revision = EvidenceRevisionFactory(evidence__organisation=org, evidence__title="Bias test report")
    revision.evidence.current_revision = revision
    revision.evidence.save()
    revision.evidence.controls.add(control)
    line = SoALineFactory(soa__organisation=org, business_need="Old reason: the board asked for it.")
    control.requirements.add(line.requirement)
    return {"system": system, "risk": risk, "control": control, "revision": revision, "line": line}
