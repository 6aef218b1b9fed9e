from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self):
        from aims.events import event
        from aims.navigation import NavLink, register_nav
        from integrations.services.webhooks import on_event

        event.connect(on_event, dispatch_uid="integrations.webhooks")

        from integrations.spreadsheets import register_spreadsheet_importers

        register_spreadsheet_importers()
        register_nav("settings", NavLink("Webhooks", "integrations:webhook-list", "broadcast"))
        register_nav("reports", NavLink("OSCAL export", "integrations:oscal", "filetype-json"))
