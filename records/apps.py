from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "Surveillance records"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed

        from records.models import write_watch
        from records.models.accounts import rotate_tokens_of_departed_staff

        write_watch.install()
        m2m_changed.connect(rotate_tokens_of_departed_staff, sender=get_user_model().groups.through)
