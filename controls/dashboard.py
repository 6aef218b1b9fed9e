"""The controls panel of the dashboard: the SoA's status, ISO/IEC 42001 readiness, and evidence that has
expired or expires soon."""

from django.utils import timezone
from django.utils.translation import gettext

from aims.permissions import can
from controls.constants import ISO42001_KEY
from controls.gap import OrganisationStatus, framework_readiness
from controls.models import Evidence, Framework
from controls.selectors_soa import soa_for


def controls_panel(request):
    user, organisation = request.user, request.organisation
    if not can(user, "view", Evidence, organisation):
        return None
    today = timezone.localdate()
    soa = soa_for(organisation)
    versions = (
        soa.versions.order_by("-version").values("version", "approved_at", "applicable_count", "excluded_count")[:1]
        if soa
        else []
    )
    framework = Framework.objects.shipped().filter(key=ISO42001_KEY).first()
    readiness = framework_readiness(framework, OrganisationStatus(organisation, today)) if framework else None
    evidence = Evidence.objects.filter(organisation=organisation).select_related("owner")
    expired = list(evidence.expired(today).order_by("expiry_date")[:5])
    expiring = list(evidence.expiring(today).order_by("expiry_date")[:5])
    return {
        "title": gettext("Controls and evidence"),
        "template": "controls/panels/controls.html",
        "context": {
            "soa": soa,
            "last_approved": versions[0] if versions else None,
            "readiness": readiness,
            "expired": expired,
            "expired_count": evidence.expired(today).count(),
            "expiring": expiring,
            "expiring_count": evidence.expiring(today).count(),
        },
    }
