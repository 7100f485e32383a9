from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark tools as an app of their own, installed outside production only (tracker/settings.py)."""

    name = "bench"
    verbose_name = "Benchmarks"
