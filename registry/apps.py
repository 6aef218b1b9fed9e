from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "AI system inventory"

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

        register_nav("inventory", NavLink("AI systems", "registry:aisystem-list", "cpu"))
        register_nav("inventory", NavLink("My systems", "registry:my-systems", "person-check"))
        register_nav("inventory", NavLink("AIMS scope", "registry:scope", "bullseye"))
        register_nav("inventory", NavLink("Context issues", "registry:contextissue-list", "globe"))
        register_nav("inventory", NavLink("Interested parties", "registry:interestedparty-list", "people"))
        register_nav("inventory", NavLink("Datasets", "registry:dataset-list", "database"))
        register_nav("inventory", NavLink("Models", "registry:aimodel-list", "diagram-3"))
        register_nav("inventory", NavLink("Model versions", "registry:modelversion-list", "layers"))
        register_nav("inventory", NavLink("Suppliers", "registry:supplier-list", "truck"))
