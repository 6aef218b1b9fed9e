from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Leadership and support")

    def ready(self):
        from aims.crud import Tab, register_tab
        from aims.dashboard import register_panel
        from aims.demo import register_seeder
        from aims.navigation import NavLink, register_nav
        from governance.dashboard import competence_panel, objectives_panel
        from governance.demo import seed_governance
        from governance.holders import register_builtin_holders
        from governance.tabs import policy_acknowledgements_tab
        from governance.views_awareness import waiting_panel

        register_tab(
            "controls.policy",
            Tab("acknowledgements", _("Acknowledgements"), "governance/tabs/policy_acknowledgements.html"),
            policy_acknowledgements_tab,
            order=30,
        )
        register_builtin_holders()
        register_seeder(seed_governance, order=50)
        register_panel(waiting_panel, order=5)
        register_panel(objectives_panel, order=40)
        register_panel(competence_panel, order=41)

        register_nav("dashboard", NavLink(_("Leadership view"), "governance:leadership", "bar-chart-line"))
        register_nav("controls", NavLink(_("Documented information"), "governance:documented-information", "archive"))
        register_nav("reviews", NavLink(_("Roles and RACI"), "governance:aimsrole-list", "diagram-2"))
        register_nav("reviews", NavLink(_("AI objectives"), "governance:objective-list", "bullseye"))
        register_nav("reviews", NavLink(_("Competence matrix"), "governance:competence-matrix", "grid-3x3-gap"))
        register_nav("reviews", NavLink(_("Training records"), "governance:trainingrecord-list", "mortarboard"))
        register_nav(
            "reviews", NavLink(_("Policy acknowledgements"), "governance:ackrequirement-list", "check2-circle")
        )
        register_nav("reviews", NavLink(_("Communication plan"), "governance:communication-list", "megaphone"))
