import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    EMBARGOED = "embargoed", "Embargoed until a date"
    PRIVATE = "private", "Private (staff only)"


def can_see_everything(user) -> bool:
    from records.rules.permissions import is_staff_member

    return is_staff_member(user)


class VisibleQuerySet(models.QuerySet):
    """The one place that decides what the public may see. Every public channel goes through it."""

    def visible_to(self, user, today: datetime.date | None = None):
        if can_see_everything(user):
            return self
        return self.filter(self.public_q(today))

    @staticmethod
    def public_q(today: datetime.date | None = None, prefix: str = "") -> Q:
        # An embargo ends by date at read time, so no scheduled job is needed for correctness.
        today = today or timezone.localdate()
        return Q(**{f"{prefix}visibility": Visibility.PUBLIC}) | Q(
            **{f"{prefix}visibility": Visibility.EMBARGOED, f"{prefix}embargo_until__lte": today}
        )

    @classmethod
    def shown_to(cls, user, prefix: str) -> models.Expression:
        """Whether `user` may see the record at `prefix` (a nullable relation, e.g. "request__"), as an
        expression to annotate: a public record may link to one that is not public (yet)."""
        if can_see_everything(user):
            return models.Value(True, output_field=models.BooleanField())
        return models.ExpressionWrapper(cls.public_q(prefix=prefix), output_field=models.BooleanField())


def hidden_label_for(visibility: str, embargo_until: datetime.date | None, today: datetime.date | None = None) -> str:
    """What staff are told of a record with this visibility that the public cannot see now ("" when it is public):
    for rows read as values, which have no hidden_label of their own."""
    today = today or timezone.localdate()
    if visibility == Visibility.PUBLIC:
        return ""
    if visibility == Visibility.EMBARGOED and embargo_until:
        if embargo_until <= today:
            return ""
        return f"Embargoed until {embargo_until:%b} {embargo_until.day}, {embargo_until.year}"
    return "Private"


class VisibilityFields(models.Model):
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    embargo_until = models.DateField(null=True, blank=True, help_text="Public from this date on.")
    # Who added the record: the review queue lists what each person added that is not public yet.
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        abstract = True
        constraints = []

    def is_public(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        if self.visibility == Visibility.PUBLIC:
            return True
        return (
            self.visibility == Visibility.EMBARGOED and self.embargo_until is not None and self.embargo_until <= today
        )

    @property
    def hidden_label(self) -> str:
        """What staff are told of a record the public cannot see now ("" when it is public)."""
        return hidden_label_for(self.visibility, self.embargo_until)

    def is_visible_to(self, user) -> bool:
        """Whether `user` may see this record: the rule of VisibleQuerySet.visible_to(), for one record."""
        return can_see_everything(user) or self.is_public()

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.visibility == Visibility.EMBARGOED and not self.embargo_until:
            raise ValidationError({"embargo_until": "An embargoed record needs the date its embargo ends."})


def most_restrictive(records) -> tuple[str, datetime.date | None]:
    """The visibility of something shown only where every one of `records` may be: private if one is, else
    embargoed until the latest embargo's end, else public."""
    visibility, embargo_until = Visibility.PUBLIC, None
    for record in records:
        if record.visibility == Visibility.PRIVATE:
            return Visibility.PRIVATE, None
        if record.visibility == Visibility.EMBARGOED:
            visibility = Visibility.EMBARGOED
            if embargo_until is None or (record.embargo_until and record.embargo_until > embargo_until):
                embargo_until = record.embargo_until
    return visibility, embargo_until


def embargo_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=~Q(visibility=Visibility.EMBARGOED) | Q(embargo_until__isnull=False),
        name=name,
    )
