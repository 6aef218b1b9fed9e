from django.apps import AppConfig


class TrailConfig(AppConfig):
    """The tamper-evident audit trail: every history record of every app, chained per organisation."""

    name = "trail"
    verbose_name = "Audit trail"

    def ready(self):
        from simple_history.signals import post_create_historical_record

        from aims.navigation import NavLink, register_nav
        from trail import services

        post_create_historical_record.connect(services.chain_history_record, dispatch_uid="trail.chain_history_record")
        register_nav("settings", NavLink("Audit trail", "trail:status", "link-45deg"))
