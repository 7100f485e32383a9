import secrets

from django.conf import settings
from django.db import models


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class StaffProfile(models.Model):
    """Per-user settings of staff: the secret that lets a calendar app subscribe to their deadlines."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)

    def __str__(self):
        return f"Profile of {self.user}"

    def rotate_calendar_token(self):
        self.calendar_token = new_calendar_token()
        self.save(update_fields=["calendar_token"])
