from django.conf import settings
from django.db import models


class MergeRecord(models.Model):
    """The history of a merge: which duplicate went into which record, and what moved with it."""

    class Kind(models.TextChoices):
        AGENCY = "agency", "Agency"
        VENDOR = "vendor", "Vendor"
        ORGANISATION = "organisation", "Organisation into an agency"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    kept_id = models.BigIntegerField()
    kept_name = models.CharField(max_length=200)
    removed_id = models.BigIntegerField()
    removed_name = models.CharField(max_length=200)
    removed_slug = models.CharField(max_length=220)
    moved = models.JSONField(default=dict, help_text="How many rows of each kind moved over.")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    merged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self):
        return f"{self.removed_name} merged into {self.kept_name}"
