from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrailConfig(AppConfig):
    """The tamper-evident audit trail: every history record of every app, chained per organisation."""

    name = "trail"
    verbose_name = _("Audit trail")

    def ready(self):
        from simple_history.signals import post_create_historical_record

        from aims.navigation import NavLink, register_nav
        from trail import services

        post_create_historical_record.connect(services.chain_history_record, dispatch_uid="trail.chain_history_record")

        from accounts.access import access_recorded
        from trail import access_log

        access_recorded.connect(access_log.chain_access_rows, dispatch_uid="trail.chain_access_rows")
        services.register_kind(access_log.ACCESS_LOG_KIND, access_log.load_access_rows)
        register_nav("settings", NavLink(_("Audit trail"), "trail:status", "link-45deg"))
