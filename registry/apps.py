from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("AI system inventory")

    def ready(self):
        from aims.demo import register_seeder
        from aims.navigation import NavLink, register_nav
        from registry.demo import seed_registry

        register_seeder(seed_registry, order=10)
        from aims.dashboard import register_panel
        from registry.dashboard import inventory_panel

        register_panel(inventory_panel, order=10)

        from registry.imports import register_registry_importers

        register_registry_importers()

        register_nav("inventory", NavLink(_("AI systems"), "registry:aisystem-list", "cpu"))
        register_nav("inventory", NavLink(_("My systems"), "registry:my-systems", "person-check"))
        register_nav("inventory", NavLink(_("AIMS scope"), "registry:scope", "bullseye"))
        register_nav("inventory", NavLink(_("Context issues"), "registry:contextissue-list", "globe"))
        register_nav("inventory", NavLink(_("Interested parties"), "registry:interestedparty-list", "people"))
        register_nav("inventory", NavLink(_("Datasets"), "registry:dataset-list", "database"))
        register_nav("inventory", NavLink(_("Models"), "registry:aimodel-list", "diagram-3"))
        register_nav("inventory", NavLink(_("Model versions"), "registry:modelversion-list", "layers"))
        register_nav("inventory", NavLink(_("Suppliers"), "registry:supplier-list", "truck"))
