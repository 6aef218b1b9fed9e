"""Filters of the catalogue: what a user of an organisation may see (shipped rows plus their own)."""

from django.db import models
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from aims.models import OrganisationQuerySet


class CatalogueQuerySet(models.QuerySet):
    """Shared by frameworks, requirements and mappings, whose ``organisation`` may be empty."""

    def visible_to(self, user, organisation):
        """Shipped rows plus ``organisation``'s own, if ``user`` may view the model there; else nothing."""
        from aims.permissions import can  # the permission module reads models; import lazily

        if organisation is None or not can(user, "view", self.model, organisation):
            return self.none()
        return self.filter(Q(organisation__isnull=True) | Q(organisation=organisation))

    def shipped(self):
        return self.filter(organisation__isnull=True)

    def own(self, organisation):
        return self.filter(organisation=organisation)


def _visible_mappings(organisation):
    from controls.models import RequirementMapping

    return RequirementMapping.objects.filter(Q(organisation__isnull=True) | Q(organisation=organisation))


class FrameworkQuerySet(CatalogueQuerySet):
    def with_counts(self):
        """Annotate ``requirement_count`` (current) and ``assessable_count`` in the same query."""
        current = Q(requirements__withdrawn=False)
        return self.annotate(
            requirement_count=Count("requirements", filter=current),
            assessable_count=Count("requirements", filter=current & Q(requirements__assessable=True)),
        )


class RequirementQuerySet(CatalogueQuerySet):
    def current(self):
        """Requirements in the current version of their framework (not withdrawn)."""
        return self.filter(withdrawn=False)

    def assessable(self):
        return self.filter(assessable=True, withdrawn=False)

    def in_framework(self, key: str):
        return self.filter(framework__key=key)

    def with_mapping_counts(self, organisation):
        """Annotate ``mapping_count``: the published and ``organisation``'s own mappings from or to each row.

        Two correlated subqueries rather than joins, so the count never multiplies rows.
        """

        def count(field):
            rows = (
                _visible_mappings(organisation)
                .filter(**{field: OuterRef("pk")})
                .order_by()
                .values(field)
                .annotate(n=Count("pk"))
                .values("n")
            )
            return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))

        return self.annotate(mapping_count=count("source") + count("target"))


class MappingQuerySet(CatalogueQuerySet):
    def published(self):
        return self.filter(organisation__isnull=True)

    def involving(self, requirement):
        return self.filter(Q(source=requirement) | Q(target=requirement))

    def between(self, first, second):
        """Pairs linking a requirement of framework ``first`` with one of ``second``, in either direction."""
        return self.filter(
            Q(source__framework=first, target__framework=second) | Q(source__framework=second, target__framework=first)
        )

    def with_ends(self):
        return self.select_related("source__framework", "target__framework")


# --- Controls, evidence, policies and the roadmap (organisation-scoped) ---------------------------------


def _today(today=None):
    from django.utils import timezone

    return today or timezone.localdate()


class ControlQuerySet(OrganisationQuerySet):
    def implemented(self):
        return self.filter(implementation_status="implemented")

    def review_overdue(self, today=None):
        return self.filter(next_review__lt=_today(today))


class EvidenceQuerySet(OrganisationQuerySet):
    """Evidence counts when it has a file or a link, speaks for today and has not been rejected."""

    def with_content(self):
        return self.filter(Q(current_revision__isnull=False) | ~Q(url=""))

    def current(self, today=None):
        today = _today(today)
        return (
            self.with_content()
            .exclude(review_status="rejected")
            .filter(Q(effective_date__isnull=True) | Q(effective_date__lte=today))
            .filter(Q(expiry_date__isnull=True) | Q(expiry_date__gte=today))
        )

    def expired(self, today=None):
        return self.filter(expiry_date__lt=_today(today))

    def expiring(self, today=None, days: int | None = None):
        """Still valid today, but expiring within ``days`` (default ``EXPIRING_DAYS``)."""
        import datetime as dt

        from controls.constants import EXPIRING_DAYS

        today = _today(today)
        return self.filter(expiry_date__gte=today, expiry_date__lte=today + dt.timedelta(days=days or EXPIRING_DAYS))


class PolicyQuerySet(OrganisationQuerySet):
    def latest_versions(self):
        """The newest version of each policy (by reference)."""
        newer = self.model.objects.filter(
            organisation=OuterRef("organisation"), reference=OuterRef("reference"), version__gt=OuterRef("version")
        )
        return self.filter(~Exists(newer))


class RoadmapQuerySet(OrganisationQuerySet):
    def open(self):
        return self.filter(status__in=["planned", "in_progress"])

    def overdue(self, today=None):
        return self.open().filter(due_date__lt=_today(today))
