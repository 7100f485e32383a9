from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "Surveillance records"

    def ready(self):
        from records.models import write_watch

        write_watch.install()
