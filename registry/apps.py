from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "AI system inventory"

    def ready(self):
        from aims.navigation import NavLink, register_nav

        register_nav("inventory", NavLink("AI systems", "registry:aisystem-list", "cpu"))
