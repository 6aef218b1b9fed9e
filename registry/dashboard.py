"""The inventory's dashboard panel."""

from django.utils.translation import gettext

from registry.selectors import inventory_summary


def inventory_panel(request):
    summary = inventory_summary(user=request.user, organisation=request.organisation)
    return {"title": gettext("AI system inventory"), "template": "registry/panels/inventory.html", "context": summary}
