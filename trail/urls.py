from django.urls import path

from trail import views

app_name = "trail"

urlpatterns = [path("", views.trail_status, name="status")]
