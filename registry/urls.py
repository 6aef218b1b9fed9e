from aims.crud import register_urls
from registry import views

app_name = "registry"

urlpatterns = [
    *register_urls(
        "systems",
        "aisystem",
        list_view=views.AISystemListView,
        detail_view=views.AISystemDetailView,
        form_view=views.AISystemFormView,
        delete_view=views.AISystemDeleteView,
    ),
]
