from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self):
        from aims.events import event
        from aims.navigation import NavLink, register_nav
        from integrations.services.webhooks import on_event

        event.connect(on_event, dispatch_uid="integrations.webhooks")

        from integrations.spreadsheets import register_spreadsheet_importers

        register_spreadsheet_importers()
        register_nav("settings", NavLink(_("Webhooks"), "integrations:webhook-list", "broadcast"))
        register_nav("reports", NavLink(_("OSCAL export"), "integrations:oscal", "filetype-json"))
