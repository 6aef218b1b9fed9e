from django.urls import path

from stewardship import views

app_name = "stewardship"

urlpatterns = [
    path("", views.home, name="home"),
    path("export/", views.export, name="export"),
    path("deletion/cancel/", views.cancel, name="cancel"),
]
