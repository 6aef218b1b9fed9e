"""Roles a member holds in an organisation, each with its meaning. The permission module reads these."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    # Administrator and AIMS officer in one: whoever creates an organisation, so that a one-person organisation
    # can run its own setup. Larger organisations give the two halves to two people (separation of duties).
    # "Owner" is also the owner of a record (German "Verantwortlich"): the role's label has its own context.
    OWNER = "owner", pgettext_lazy("role", "Owner")
    ADMIN = "admin", _("Administrator")
    OFFICER = "officer", _("AIMS officer")
    CONTRIBUTOR = "contributor", _("Contributor")
    AUDITOR = "auditor", _("Auditor")
    VIEWER = "viewer", _("Viewer")


ROLE_MEANINGS: dict[str, str] = {
    Role.OWNER: _(
        "Administrator and AIMS officer in one: manages members, tokens and settings, and reads, creates, "
        "changes, approves and exports everything. Only an owner makes someone an owner or changes an owner's role."
    ),
    Role.ADMIN: _("Manages the organisation: its members, their roles, API tokens and settings. Reads every register."),
    Role.OFFICER: _("AIMS manager or governance officer: reads, creates, changes, approves and exports everything."),
    Role.CONTRIBUTOR: _(
        "Owns AI systems, risks, controls and evidence: creates new records and changes or "
        "deletes the ones they own. Reads everything; cannot approve."
    ),
    Role.AUDITOR: _(
        "Reads everything in the organisation, records audit results and findings, and exports "
        "evidence packs. Cannot change other records, which keeps the audit independent."
    ),
    Role.VIEWER: _("Reads every register; changes nothing."),
}
