from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StewardshipConfig(AppConfig):
    """Backup and restore of the whole database, and an organisation's export and deletion.

    Placed at the top: it reads every app's models through the app registry and imports none of them.
    """

    name = "stewardship"
    verbose_name = _("Data stewardship")

    def ready(self):
        from aims.navigation import NavLink, register_nav

        register_nav("settings", NavLink(_("Export and deletion"), "stewardship:home", "box-arrow-up"))
