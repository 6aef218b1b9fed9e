"""Factories the generated tenant-isolation test (test_tenant_isolation.py) uses for models outside the registry.

``FACTORIES = {Model: callable(organisation) -> instance}``: each app appends its own section below.
"""

FACTORIES: dict = {}


# --- risk -----------------------------------------------------------------------------------------------
def _risk_factories() -> dict:
    from registry.tests.factories import AISystemFactory
    from risk.models import ImpactArea, ImpactAssessment, Risk, RiskAssessment, RiskCriteria, TreatmentAction
    from risk.tests import factories as f

    def impact_assessment(organisation):
        return f.ImpactAssessmentFactory(ai_system=AISystemFactory(organisation=organisation))

    return {
        RiskCriteria: lambda organisation: f.RiskCriteriaFactory(organisation=organisation, name="Globex criteria"),
        Risk: lambda organisation: f.RiskFactory(organisation=organisation, title="Globex secret risk"),
        TreatmentAction: lambda organisation: f.TreatmentActionFactory(
            risk=f.RiskFactory(organisation=organisation), title="Globex secret action"
        ),
        RiskAssessment: lambda organisation: f.RiskAssessmentFactory(organisation=organisation),
        ImpactAssessment: impact_assessment,
        ImpactArea: lambda organisation: f.ImpactAreaFactory(impact_assessment=impact_assessment(organisation)),
    }


FACTORIES.update(_risk_factories())


# --- controls: an organisation's own catalogue rows (shipped rows are global, so never "another's") ---
def _controls_factories():
    from controls.models import Framework, Requirement, RequirementMapping
    from controls.tests.factories import FrameworkFactory, MappingFactory, RequirementFactory

    return {
        Framework: lambda organisation: FrameworkFactory(organisation=organisation, name="Globex secret framework"),
        Requirement: lambda organisation: RequirementFactory(
            framework=FrameworkFactory(organisation=organisation), title="Globex secret requirement"
        ),
        RequirementMapping: lambda organisation: MappingFactory(organisation=organisation),
    }


FACTORIES.update(_controls_factories())
