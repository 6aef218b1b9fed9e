"""Build a large organisation (and 50 ordinary ones) quickly, for the benchmarks in bench/.

    python manage.py seed_scale --systems 10000 --risks 100000 --history 1000000
    python manage.py seed_scale --small          # 1,000 systems, 10,000 risks, 30,000 history rows

Rows go in with PostgreSQL's COPY (bulk_create on other databases), history rows included, from a
seeded random generator, so two runs with the same flags and seed build the same data. The command
replaces what an earlier run built (organisations whose slug starts with ``scale-``) and leaves every
other organisation alone. It lives in audits, the top domain app, because it fills every register.

The large organisation ``scale-large`` has one system (``AIS-00001``) with hundreds of risks, controls,
evidence and history rows, for the detail-page benchmark; its officer is ``scale-officer``.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Membership, Organisation
from aims.bulk import Bulk
from aims.models import ReferenceCounter
from aims.roles import Role
from audits.constants import FindingKind
from audits.models import Audit, Finding
from controls.constants import EvidenceKind, ImplementationStatus, ReviewStatus
from controls.models import Control, Evidence, Requirement
from registry.constants import Criticality, DeploymentStatus, EUTier, LifecycleStage
from registry.models import AISystem
from risk.constants import RiskCategory, RiskLevel, RiskStatus
from risk.models import Risk

PREFIX = "scale-"
LARGE_SLUG = "scale-large"
OFFICER = "scale-officer"
PASSWORD = "aims-bench"  # noqa: S105 - a benchmark login on a benchmark database
BIG_SYSTEM = "AIS-00001"
WORDS = [
    "credit",
    "claims",
    "triage",
    "fraud",
    "churn",
    "vision",
    "chat",
    "routing",
    "pricing",
    "forecast",
    "screening",
    "ranking",
    "speech",
    "translation",
    "anomaly",
    "demand",
    "clinical",
    "imaging",
    "onboarding",
    "support",
    "summarise",
    "document",
    "search",
    "match",
]
LEVELS = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.CRITICAL]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


class Command(BaseCommand):
    help = "Build a large organisation and 50 ordinary ones with bulk inserts, for the benchmarks (deterministic)."

    def add_arguments(self, parser):
        parser.add_argument("--systems", type=int, default=10_000)
        parser.add_argument("--risks", type=int, default=100_000)
        parser.add_argument("--history", type=int, default=1_000_000, help="History rows of the large organisation.")
        parser.add_argument("--controls", type=int, default=None, help="Default: systems / 5.")
        parser.add_argument("--evidence", type=int, default=None, help="Default: systems / 2.")
        parser.add_argument("--findings", type=int, default=None, help="Default: systems / 10.")
        parser.add_argument("--other-orgs", type=int, default=50)
        parser.add_argument("--other-systems", type=int, default=200)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--small", action="store_true", help="1,000 systems, 10,000 risks, 30,000 history rows.")

    def handle(self, *args, **opts):
        if opts["small"]:
            opts.update(systems=1000, risks=10_000, history=30_000, other_orgs=min(opts["other_orgs"], 5))
        n_systems, n_risks = opts["systems"], opts["risks"]
        if n_systems < 1 or n_risks < 0:
            raise CommandError("--systems must be at least 1 and --risks at least 0.")
        n_controls = opts["controls"] if opts["controls"] is not None else max(n_systems // 5, 10)
        n_evidence = opts["evidence"] if opts["evidence"] is not None else max(n_systems // 2, 10)
        n_findings = opts["findings"] if opts["findings"] is not None else max(n_systems // 10, 10)
        rng = random.Random(opts["seed"])
        started = time.monotonic()
        self.bulk = Bulk()
        self.now = timezone.now().replace(microsecond=0)
        self.epoch = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        self.uuid_rng = random.Random(opts["seed"] * 7919)
        with transaction.atomic():
            self._clear()
            user = self._user()
            name = f"Scale Large Corp ({n_systems}/{n_risks}/{opts['history']}, seed {opts['seed']})"  # read by bench/run.py
            large = self._organisation(LARGE_SLUG, name, user, Role.OFFICER)
            counts = self._large(
                large, user, rng, n_systems, n_risks, n_controls, n_evidence, n_findings, opts["history"]
            )
            for i in range(opts["other_orgs"]):
                org = self._organisation(f"{PREFIX}other-{i + 1:02d}", f"Scale Other {i + 1:02d}", user, Role.VIEWER)
                systems = self._systems(org, rng, opts["other_systems"])
                self.bulk.history(AISystem, systems, {}, user_id=user.pk, start=self.epoch)
                self._counter(org, "AIS", len(systems))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Index-only scans need the visibility map (VACUUM); inside a transaction (tests) only ANALYZE.
                cursor.execute("VACUUM ANALYZE" if connection.get_autocommit() else "ANALYZE")
        counts["seconds"] = round(time.monotonic() - started, 1)
        self.stdout.write(
            "seed_scale: " + ", ".join(f"{k}={v}" for k, v in counts.items()) + f" (+{opts['other_orgs']} orgs)"
        )

    # --- Helpers ----------------------------------------------------------------------------------------
    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.uuid_rng.getrandbits(128), version=4)

    def _stamp(self, i: int) -> dict:
        when = self.epoch + dt.timedelta(minutes=i)
        return {"created_at": when, "updated_at": when}

    def _clear(self) -> None:
        # Deleting through the ORM would cascade row by row through a million history rows (and would record
        # history and chain it in the trail for organisations on their way out); the scale organisations are
        # the benchmark's own, so their rows go with plain DELETEs. Every table with an ``organisation`` foreign
        # key is found through the app registry (so a new app's tables go too), with the many-to-many tables of
        # those models; foreign keys are checked at commit, so the order between them does not matter.
        orgs = list(Organisation.objects.filter(slug__startswith=PREFIX).values_list("pk", flat=True))
        if not orgs:
            return
        from django.apps import apps

        scoped = [
            m
            for m in apps.get_models()
            if m is not Organisation
            and any(f.name == "organisation" and f.related_model is Organisation for f in m._meta.concrete_fields)
        ]
        for model in scoped:
            for field in model._meta.many_to_many:
                through = field.remote_field.through
                if through._meta.auto_created:
                    ids = model._base_manager.filter(organisation_id__in=orgs).values("pk")
                    through.objects.filter(**{f"{field.m2m_field_name()}_id__in": ids})._raw_delete(connection.alias)
        for model in scoped:
            model._base_manager.filter(organisation_id__in=orgs)._raw_delete(connection.alias)
        Organisation.history.filter(id__in=orgs)._raw_delete(connection.alias)
        Organisation.objects.filter(pk__in=orgs)._raw_delete(connection.alias)

    def _user(self):
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(username=OFFICER, defaults={"email": "scale@example.org"})
        if created or not user.check_password(PASSWORD):
            user.set_password(PASSWORD)
            user.save()
        return user

    def _organisation(self, slug, name, user, role):
        org = Organisation.objects.create(slug=slug, name=name)
        Membership.objects.create(user=user, organisation=org, role=role)
        return org

    def _counter(self, org, prefix: str, last: int) -> None:
        ReferenceCounter.objects.update_or_create(organisation=org, prefix=prefix, defaults={"last_number": last})

    def _systems(self, org, rng, count: int, owner=None) -> list[AISystem]:
        systems = []
        for i in range(count):
            stage = rng.choice(LifecycleStage.values)
            systems.append(
                AISystem(
                    id=self._uuid(),
                    organisation=org,
                    reference=f"AIS-{i + 1:05d}",
                    name=f"{_text(rng, 2)} system {i + 1}",
                    description=_text(rng, 12),
                    intended_purpose=_text(rng, 8),
                    business_owner=owner,
                    technical_owner=owner,
                    business_unit=rng.choice(["Finance", "Claims", "Operations", "Marketing", "HR", "IT"]),
                    lifecycle_stage=stage,
                    deployment_status=rng.choice(DeploymentStatus.values),
                    ai_techniques="machine_learning",
                    criticality=rng.choice(Criticality.values),
                    eu_tier=rng.choice(EUTier.values),
                    scope_justification="In scope: supports a core process.",
                    next_review=dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(900)),
                    tags=rng.choice(["", "finance", "customer,pii", "internal"]),
                    **self._stamp(i),
                )
            )
        self.bulk.insert(AISystem, systems)
        return systems

    def _large(self, org, user, rng, n_systems, n_risks, n_controls, n_evidence, n_findings, n_history) -> dict:
        systems = self._systems(org, rng, n_systems, owner=user)
        big = systems[0]
        risks = []
        for i in range(n_risks):
            li, im = rng.randint(1, 5), rng.randint(1, 5)
            level = LEVELS[min((li * im) // 7, 3)]
            risks.append(
                Risk(
                    id=self._uuid(),
                    organisation=org,
                    reference=f"RSK-{i + 1:06d}",
                    title=f"{_text(rng, 4)} risk {i + 1}",
                    cause=_text(rng, 10),
                    event=_text(rng, 10),
                    consequence=_text(rng, 10),
                    category=rng.choice(RiskCategory.values),
                    inherent_likelihood=li,
                    inherent_impact=im,
                    inherent_level=level,
                    residual_level=rng.choice(["", level]),
                    status=rng.choice(RiskStatus.values),
                    owner=user,
                    next_review=dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(900)),
                    **self._stamp(i),
                )
            )
        self.bulk.insert(Risk, risks)
        # Each risk concerns one system; the big system gets the first 300 (hundreds on its detail page).
        big_risks = min(300, n_risks)
        self.bulk.links(
            Risk.ai_systems.through,
            "risk",
            "aisystem",
            (
                (r.pk, big.pk if i < big_risks else systems[rng.randrange(1, n_systems) if n_systems > 1 else 0].pk)
                for i, r in enumerate(risks)
            ),
        )
        controls = [
            Control(
                id=self._uuid(),
                organisation=org,
                reference=f"CTL-{i + 1:05d}",
                title=f"{_text(rng, 3)} control {i + 1}",
                description=_text(rng, 12),
                implementation_status=rng.choice(ImplementationStatus.values),
                owner=user,
                next_review=dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(900)),
                **self._stamp(i),
            )
            for i in range(n_controls)
        ]
        self.bulk.insert(Control, controls)
        big_controls = min(200, n_controls)
        self.bulk.links(
            Control.ai_systems.through,
            "control",
            "aisystem",
            ((c.pk, big.pk if i < big_controls else rng.choice(systems).pk) for i, c in enumerate(controls)),
        )
        self.bulk.links(
            Control.risks.through, "control", "risk", ((c.pk, rng.choice(risks).pk) for c in controls if risks)
        )
        evidence = []
        for i in range(n_evidence):
            effective = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(600))
            evidence.append(
                Evidence(
                    id=self._uuid(),
                    organisation=org,
                    reference=f"EVD-{i + 1:05d}",
                    title=f"{_text(rng, 3)} evidence {i + 1}",
                    description=_text(rng, 8),
                    kind=EvidenceKind.LINK,
                    url=f"https://docs.example.org/evidence/{i + 1}",
                    effective_date=effective,
                    expiry_date=effective + dt.timedelta(days=365),
                    review_status=rng.choice(ReviewStatus.values),
                    owner=user,
                    **self._stamp(i),
                )
            )
        self.bulk.insert(Evidence, evidence)
        big_evidence = min(200, n_evidence)
        self.bulk.links(
            Evidence.ai_systems.through,
            "evidence",
            "aisystem",
            ((e.pk, big.pk if i < big_evidence else rng.choice(systems).pk) for i, e in enumerate(evidence)),
        )
        self.bulk.links(
            Evidence.controls.through, "evidence", "control", ((e.pk, rng.choice(controls).pk) for e in evidence)
        )
        requirement_ids = list(Requirement.objects.filter(organisation=None).values_list("pk", flat=True)[:200])
        if requirement_ids:
            self.bulk.links(
                Control.requirements.through,
                "control",
                "requirement",
                ((c.pk, rng.choice(requirement_ids)) for c in controls),
            )
        audit = Audit(id=self._uuid(), organisation=org, reference="AUD-001", title="Scale audit", **self._stamp(0))
        self.bulk.insert(Audit, [audit])
        findings = [
            Finding(
                id=self._uuid(),
                organisation=org,
                reference=f"FND-{i + 1:05d}",
                audit=audit,
                requirement_id=rng.choice(requirement_ids) if requirement_ids else None,
                kind=rng.choice(FindingKind.values),
                title=f"{_text(rng, 4)} finding {i + 1}",
                description=_text(rng, 10),
                raised_by=user,
                raised_on=dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(600)),
                **self._stamp(i),
            )
            for i in range(n_findings)
        ]
        self.bulk.insert(Finding, findings)
        # History: one "+" row per record; the rest are "~" edits, 500 of them on the big system and the
        # others spread over systems and risks.
        base_rows = n_systems + n_risks + n_controls + n_evidence + n_findings
        extra = max(n_history - base_rows, 0)
        system_changes = {big.pk: min(500, extra)}
        extra -= system_changes[big.pk]
        risk_changes: dict = {}
        for _ in range(extra):
            if risks and rng.random() < 0.8:
                pk = risks[rng.randrange(n_risks)].pk
                risk_changes[pk] = risk_changes.get(pk, 0) + 1
            else:
                pk = systems[rng.randrange(n_systems)].pk
                system_changes[pk] = system_changes.get(pk, 0) + 1
        history = 0
        history += self.bulk.history(AISystem, systems, system_changes, user_id=user.pk, start=self.epoch)
        history += self.bulk.history(Risk, risks, risk_changes, user_id=user.pk, start=self.epoch)
        history += self.bulk.history(Control, controls, {}, user_id=user.pk, start=self.epoch)
        history += self.bulk.history(Evidence, evidence, {}, user_id=user.pk, start=self.epoch)
        history += self.bulk.history(Finding, findings, {}, user_id=user.pk, start=self.epoch)
        for prefix, last in (("AIS", n_systems), ("RSK", n_risks), ("CTL", n_controls), ("EVD", n_evidence)):
            self._counter(org, prefix, last)
        self._counter(org, "FND", n_findings)
        self._counter(org, "AUD", 1)
        return {
            "systems": n_systems,
            "risks": n_risks,
            "controls": n_controls,
            "evidence": n_evidence,
            "findings": n_findings,
            "history": history,
        }
