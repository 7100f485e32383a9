from django.db import models
from simple_history.models import HistoricalRecords

from records.links import detail_url


class Technology(models.Model):
    """A category of surveillance technology, seeded with the Atlas of Surveillance categories."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "technologies"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return detail_url("technology-detail", self.slug)


class VendorQuerySet(models.QuerySet):
    def with_aliases(self):
        return self.prefetch_related("aliases")


class Vendor(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=220, unique=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    uei = models.CharField(
        "UEI", max_length=12, blank=True, help_text="The federal Unique Entity ID, from SAM.gov or USAspending."
    )
    history = HistoricalRecords()

    objects = VendorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return detail_url("vendor-detail", self.slug)


class VendorAlias(models.Model):
    """Another name a vendor is known by (ShotSpotter became SoundThinking)."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200, unique=True)
    # An importer's near match (a subsidiary's name, say) is linked but waits for an editor to confirm it.
    confirmed = models.BooleanField(default=True)
    match_case = models.BooleanField(
        default=False,
        help_text="Find this name in documents only as written here, in this case: for a name that is also a "
        "common word (“ProVision”, “Ring”).",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "vendor aliases"

    def __str__(self):
        return self.name


class Product(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    technologies = models.ManyToManyField(Technology, related_name="products", blank=True)
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["vendor", "name"], name="product_unique_name_per_vendor")]

    def __str__(self):
        return self.name
