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


def rotate_tokens_of_departed_staff(sender, instance, action, pk_set, **kwargs):
    """Someone leaving the staff (or editors) group, or losing every group, gets a new calendar token: the
    address their calendar app holds stops working at once, whatever else the feed checks."""
    if action not in {"post_remove", "post_clear", "pre_clear"}:
        return
    from django.contrib.auth.models import Group

    from records.rules.permissions import EDITOR_GROUP, STAFF_GROUP

    if isinstance(instance, Group):
        # Removed from the group's side: pk_set holds the users.
        if instance.name not in {STAFF_GROUP, EDITOR_GROUP} or action == "post_clear":
            return
        # Clearing a group names no users afterwards: they are read before it happens.
        users = list(instance.user_set.values_list("pk", flat=True)) if action == "pre_clear" else list(pk_set)
    else:
        if action == "pre_clear":
            return
        users = [instance.pk]
    for profile in StaffProfile.objects.filter(user_id__in=users):
        profile.rotate_calendar_token()
