from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = _("Performance evaluation and improvement")

    def ready(self):
        from aims.crud import Tab, register_tab
        from aims.dashboard import register_panel
        from aims.demo import register_seeder
        from aims.navigation import NavLink, register_nav
        from audits.dashboard import improvement_panel, incident_panel, kpi_panel
        from audits.demo import seed_audits
        from audits.holders import register_audit_holders
        from audits.tabs import objective_kpis_tab, system_audits_tab

        register_tab(
            "registry.aisystem",
            Tab("audits", _("Incidents and audits"), "audits/tabs/aisystem_audits.html"),
            system_audits_tab,
            order=60,
        )
        register_tab(
            "governance.objective",
            Tab("kpis", _("KPIs"), "audits/tabs/objective_kpis.html"),
            objective_kpis_tab,
            order=60,
        )
        register_panel(incident_panel, order=15)
        register_panel(kpi_panel, order=45)
        register_panel(improvement_panel, order=46)
        register_seeder(seed_audits, order=60)
        register_audit_holders()

        register_nav("audits", NavLink(_("Audit programme"), "audits:programme-list", "calendar3"))
        register_nav("audits", NavLink(_("Audits"), "audits:audit-list", "clipboard-check"))
        register_nav("audits", NavLink(_("Findings"), "audits:finding-list", "search"))
        register_nav("audits", NavLink(_("Nonconformities"), "audits:nonconformity-list", "exclamation-octagon"))
        register_nav("audits", NavLink(_("Corrective actions"), "audits:correctiveaction-list", "wrench-adjustable"))
        register_nav("audits", NavLink(_("AI incidents"), "audits:incident-list", "lightning"))
        register_nav("reviews", NavLink(_("Management reviews"), "audits:review-list", "people-fill"))
        register_nav("reviews", NavLink(_("Review actions"), "audits:reviewaction-list", "list-check"))
        register_nav("reviews", NavLink(_("KPIs"), "audits:kpi-list", "graph-up"))
