"""Which OSCAL document a request asks for, for the page and the API alike (one place for the lookups)."""

from django.conf import settings
from django.http import Http404
from django.utils import translation

from aims.permissions import can
from integrations import oscal


def build(user, organisation, kind: str, params) -> tuple[dict, str]:
    """``(document, file name)`` for ``kind``; 404 for an unknown kind or a record not visible here.

    OSCAL documents are read by machines: they are built in the site language whatever the reader's, so the
    same AIMS always exports the same titles and statuses."""
    with translation.override(settings.LANGUAGE_CODE):
        return _build(user, organisation, kind, params)


def _build(user, organisation, kind: str, params) -> tuple[dict, str]:
    from audits.models import Audit
    from controls.models import Framework, SoALine
    from registry.models import AISystem

    if kind == "catalog":
        frameworks = Framework.objects.visible_to(user, organisation)
        key = params.get("framework", "")
        framework = (
            frameworks.filter(key=key).order_by("organisation_id").first()
            if key
            else frameworks.filter(organisation=organisation).order_by("name").first()
        )
        if framework is None:
            raise Http404
        return oscal.catalog(framework), f"catalog-{framework.key}"
    if kind == "profile":
        if not can(user, "view", SoALine, organisation):
            raise Http404
        return oscal.profile(organisation), "profile-soa"
    if kind == "component-definition":
        if not can(user, "view", AISystem, organisation):
            raise Http404
        return oscal.component_definition(organisation), "component-definition"
    if kind == "assessment-results":
        audits = Audit.objects.visible_to(user, organisation)
        audit_id = params.get("audit", "")
        try:
            audit = audits.get(pk=audit_id) if audit_id else audits.order_by("-created_at").first()
        except (Audit.DoesNotExist, ValueError, Exception):
            raise Http404 from None
        if audit is None:
            raise Http404
        return oscal.assessment_results(audit), f"assessment-results-{audit.reference}"
    raise Http404
