from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Evidence packs and dossiers")

    def ready(self):
        from aims.crud import Tab, register_tab
        from aims.navigation import NavLink, register_nav
        from reports.views import system_dossier_tab

        register_tab(
            "registry.aisystem",
            Tab("dossier", _("Dossier"), "reports/tabs/aisystem_dossier.html"),
            system_dossier_tab,
            order=90,
        )
        from django.db.models.signals import post_delete

        from reports.models import ReportJob
        from reports.services import remove_file

        # A deleted job (or organisation) leaves no pack on disk.
        post_delete.connect(remove_file, sender=ReportJob, dispatch_uid="reports-remove-file")
        from aims.permissions import register_external_scope

        # External auditors read and download packs only when invited for the organisation's whole audit work.
        register_external_scope("reports.reportjob", "")
        register_nav("reports", NavLink(_("Evidence packs"), "reports:pack-list", "file-earmark-zip"))
