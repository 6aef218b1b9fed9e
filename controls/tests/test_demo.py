"""The Northwind demo: an approved SoA with real justifications, 25+ controls, evidence files (some expired), an
approved AI policy and a plausible readiness of 60–70% for ISO/IEC 42001; seeding twice changes nothing."""

import hashlib
from pathlib import Path

from django.core.management import call_command

from controls.constants import EvidenceState, PolicyKind, PolicyStatus, SoAStatus
from controls.gap import OrganisationStatus, framework_readiness
from controls.models import Control, Evidence, EvidenceRevision, Framework, Policy, RoadmapAction, SoAVersion
from controls.selectors_soa import soa_for


def test_northwind_demo_controls_soa_evidence_policy_and_readiness(db, settings):
    call_command("seed_demo")
    counts = (
        Control.objects.count(),
        Evidence.objects.count(),
        EvidenceRevision.objects.count(),
        Policy.objects.count(),
    )
    call_command("seed_demo")
    assert (
        Control.objects.count(),
        Evidence.objects.count(),
        EvidenceRevision.objects.count(),
        Policy.objects.count(),
    ) == counts

    from accounts.models import Organisation

    northwind = Organisation.objects.get(slug="northwind")
    assert Control.objects.filter(organisation=northwind).count() >= 25
    assert Control.objects.filter(organisation=northwind, risks__isnull=False).distinct().count() >= 10
    assert Control.objects.filter(organisation=northwind, requirements__framework__key="iso27001").distinct().exists()

    soa = soa_for(northwind)
    assert soa.status == SoAStatus.APPROVED and soa.version == 1
    version = SoAVersion.objects.get(soa=soa)
    assert (version.applicable_count, version.excluded_count) == (35, 3)
    excluded = [row for row in version.lines if row["applicable"] is False]
    assert all(row["exclusion_reason"] and len(row["exclusion_justification"]) > 80 for row in excluded)

    evidence = list(Evidence.objects.filter(organisation=northwind).select_related("current_revision"))
    assert len(evidence) >= 20
    assert sum(e.state == EvidenceState.EXPIRED for e in evidence) >= 2
    for item in evidence:
        if item.current_revision:
            stored = Path(settings.MEDIA_ROOT) / item.current_revision.file.name
            assert hashlib.sha256(stored.read_bytes()).hexdigest() == item.current_revision.sha256
    assert any(e.current_revision and e.current_revision.content_type == "application/pdf" for e in evidence)

    ai_policy = Policy.objects.get(organisation=northwind, kind=PolicyKind.AI_POLICY, status=PolicyStatus.APPROVED)
    assert ai_policy.version == 2 and "## 1. Our commitments" in ai_policy.body
    assert Policy.objects.filter(
        organisation=northwind, reference=ai_policy.reference, status=PolicyStatus.RETIRED
    ).exists()
    assert RoadmapAction.objects.filter(organisation=northwind).count() >= 5

    iso = Framework.objects.get(key="iso42001", organisation__isnull=True)
    readiness = framework_readiness(iso, OrganisationStatus(northwind))
    assert 60 <= readiness.percent <= 70, readiness.percent

    # Northwind maps its controls to AI Act articles itself (no published crosswalk exists): the gap analysis
    # and the pack's "other frameworks" section show real coverage, not 0 of 28.
    eu_ai_act = Framework.objects.get(key="eu_ai_act", organisation__isnull=True)
    mapped = Control.objects.filter(organisation=northwind, requirements__framework=eu_ai_act)
    assert mapped.values("requirements").distinct().count() >= 12
    assert 20 <= framework_readiness(eu_ai_act, OrganisationStatus(northwind)).percent < 100
