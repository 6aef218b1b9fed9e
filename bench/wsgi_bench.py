"""The WSGI application of the API load benchmark: AIMS itself, plus ``/bench/trivial/``, a trivial JSON view
behind the same middleware (the floor the mixed read workload is compared with)."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aims.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import include, path  # noqa: E402


def trivial(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [path("bench/trivial/", trivial), path("", include("aims.urls"))]
settings.ROOT_URLCONF = __name__
application = get_wsgi_application()

from aims.runtime import settle_after_startup  # noqa: E402

settle_after_startup()  # as aims.wsgi does
