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


# --- controls: controls, the SoA, evidence, policies and the roadmap ----------------------------------------
def _controls_work_factories():
    from controls.models import (
        Control,
        Evidence,
        EvidenceRevision,
        Policy,
        RoadmapAction,
        SoALine,
        SoAVersion,
        StatementOfApplicability,
    )
    from controls.tests import factories as f

    return {
        Control: lambda organisation: f.ControlFactory(organisation=organisation, title="Globex secret control"),
        Evidence: lambda organisation: f.EvidenceFactory(organisation=organisation, title="Globex secret evidence"),
        EvidenceRevision: lambda organisation: f.EvidenceRevisionFactory(
            evidence=f.EvidenceFactory(organisation=organisation, kind="file", url="")
        ),
        Policy: lambda organisation: f.PolicyFactory(organisation=organisation, title="Globex secret policy"),
        RoadmapAction: lambda organisation: f.RoadmapActionFactory(organisation=organisation, title="Globex plan"),
        StatementOfApplicability: lambda organisation: f.SoAFactory(organisation=organisation),
        SoALine: lambda organisation: f.SoALineFactory(soa=f.SoAFactory(organisation=organisation)),
        SoAVersion: lambda organisation: f.SoAVersionFactory(soa=f.SoAFactory(organisation=organisation)),
    }


FACTORIES.update(_controls_work_factories())


# --- governance: AIMS roles, RACI, objectives, competence and training, acknowledgements, communication ----
def _governance_factories():
    from governance.models import (
        Acknowledgement,
        AcknowledgementRequirement,
        AimsRole,
        Communication,
        Competence,
        Objective,
        RaciEntry,
        RoleAssignment,
        TrainingCourse,
        TrainingRecord,
    )
    from governance.tests import factories as f

    def role(organisation):
        return f.AimsRoleFactory(organisation=organisation, name="Globex secret role")

    return {
        AimsRole: role,
        RoleAssignment: lambda organisation: f.RoleAssignmentFactory(role=role(organisation)),
        RaciEntry: lambda organisation: f.RaciEntryFactory(role=role(organisation)),
        Objective: lambda organisation: f.ObjectiveFactory(organisation=organisation, title="Globex secret objective"),
        Competence: lambda organisation: f.CompetenceFactory(organisation=organisation, name="Globex secret skill"),
        TrainingCourse: lambda organisation: f.TrainingCourseFactory(organisation=organisation, title="Globex course"),
        TrainingRecord: lambda organisation: f.TrainingRecordFactory(organisation=organisation),
        Communication: lambda organisation: f.CommunicationFactory(organisation=organisation, topic="Globex secret"),
        AcknowledgementRequirement: lambda organisation: f.AcknowledgementRequirementFactory(organisation=organisation),
        Acknowledgement: lambda organisation: f.AcknowledgementFactory(
            policy=f.PolicyFactory(organisation=organisation)
        ),
    }


FACTORIES.update(_governance_factories())


# --- audits: programme, audits, checklist, findings, nonconformities, KPIs, reviews, incidents -------------------
def _audits_factories():
    from audits.models import (
        KPI,
        Audit,
        AuditProgramme,
        ChecklistItem,
        CorrectiveAction,
        Finding,
        Incident,
        ManagementReview,
        Nonconformity,
        ReviewAction,
    )
    from audits.tests import factories as f

    return {
        AuditProgramme: lambda organisation: f.AuditProgrammeFactory(organisation=organisation, title="Globex plan"),
        Audit: lambda organisation: f.AuditFactory(organisation=organisation, title="Globex secret audit"),
        ChecklistItem: lambda organisation: f.ChecklistItemFactory(audit=f.AuditFactory(organisation=organisation)),
        Finding: lambda organisation: f.FindingFactory(
            audit=f.AuditFactory(organisation=organisation), title="Globex secret finding"
        ),
        Nonconformity: lambda organisation: f.NonconformityFactory(organisation=organisation, title="Globex secret NC"),
        CorrectiveAction: lambda organisation: f.CorrectiveActionFactory(
            nonconformity=f.NonconformityFactory(organisation=organisation), title="Globex secret action"
        ),
        KPI: lambda organisation: f.KPIFactory(organisation=organisation, name="Globex secret KPI"),
        ManagementReview: lambda organisation: f.ManagementReviewFactory(organisation=organisation, title="Globex MR"),
        ReviewAction: lambda organisation: f.ReviewActionFactory(
            decision=f.ReviewDecisionFactory(review=f.ManagementReviewFactory(organisation=organisation))
        ),
        Incident: lambda organisation: f.IncidentFactory(organisation=organisation, title="Globex secret incident"),
    }


FACTORIES.update(_audits_factories())


# --- reviews: review tasks, notifications, review settings ---------------------------------------------------------
def _reviews_factories():
    from reviews.models import Notification, ReviewSettings, ReviewTask
    from reviews.tests import factories as f

    return {
        ReviewTask: lambda organisation: f.ReviewTaskFactory(organisation=organisation, object_label="Globex secret"),
        Notification: lambda organisation: f.NotificationFactory(organisation=organisation, title="Globex secret"),
        ReviewSettings: lambda organisation: f.ReviewSettingsFactory(organisation=organisation),
    }


FACTORIES.update(_reviews_factories())


# --- reports: evidence packs and dossiers ------------------------------------------------------------------------
def _reports_factories():
    from reports.models import ReportJob
    from reports.tests.factories import ReportJobFactory

    return {ReportJob: lambda organisation: ReportJobFactory(organisation=organisation)}


FACTORIES.update(_reports_factories())


# --- integrations: webhook endpoints and their delivery log ------------------------------------------------
def _integrations_factories() -> dict:
    from integrations.models import WebhookDelivery, WebhookEndpoint
    from integrations.tests.factories import WebhookDeliveryFactory, WebhookEndpointFactory

    return {
        WebhookEndpoint: lambda organisation: WebhookEndpointFactory(
            organisation=organisation, name="Globex secret hook"
        ),
        WebhookDelivery: lambda organisation: WebhookDeliveryFactory(
            endpoint=WebhookEndpointFactory(organisation=organisation, name="Globex secret hook")
        ),
    }


FACTORIES.update(_integrations_factories())


# --- onboarding and trust (issue 12): own document templates, trust page, listings, concerns --------------------
def _onboarding_trust_factories():
    from onboarding.models import DocumentTemplate, GapAnswer, SetupProgress
    from trust.models import Concern, PublishedSystem, TrustPage
    from trust.tests import factories as f

    def gap_answer(organisation):
        from controls.models import Requirement

        requirement = Requirement.objects.filter(assessable=True, organisation__isnull=True).first()
        return GapAnswer.objects.create(organisation=organisation, requirement=requirement, answer="no")

    return {
        DocumentTemplate: lambda organisation: DocumentTemplate.objects.create(
            organisation=organisation, title="Globex secret template", body="Globex secret body"
        ),
        SetupProgress: lambda organisation: SetupProgress.objects.get_or_create(organisation=organisation)[0],
        GapAnswer: gap_answer,
        TrustPage: lambda organisation: f.TrustPageFactory(organisation=organisation, display_name="Globex secret"),
        PublishedSystem: lambda organisation: f.PublishedSystemFactory(organisation=organisation),
        Concern: lambda organisation: f.ConcernFactory(organisation=organisation, what_happened="Globex secret"),
    }


FACTORIES.update(_onboarding_trust_factories())


# --- accounts: access log and external auditor invitations ---------------------------------------------------
def _accounts_security_factories():
    import datetime as dt

    from django.utils import timezone

    from accounts.models import AccessKind, AccessLog, AuditorInvitation

    def access_log(organisation):
        return AccessLog.objects.create(
            organisation=organisation, kind=AccessKind.EXPORT, detail="Globex secret export"
        )

    def invitation(organisation):
        return AuditorInvitation.objects.create(
            organisation=organisation,
            email="globex-auditor@example.org",
            name="Globex secret auditor",
            expires_at=timezone.now() + dt.timedelta(days=7),
            token_hash=f"{organisation.pk.hex:0<64}",
        )

    return {AccessLog: access_log, AuditorInvitation: invitation}


FACTORIES.update(_accounts_security_factories())
