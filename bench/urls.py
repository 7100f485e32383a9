from django.urls import path

from bench.harness import floor
from tracker.urls import urlpatterns as tracker_urlpatterns

urlpatterns = [path("bench/floor/", floor, name="bench-floor"), *tracker_urlpatterns]
