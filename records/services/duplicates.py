"""An editor's decision on a pair of possible duplicates (records/importers/duplicates.py finds them): merge
them, keeping one (services/merges.py), or mark them not the same, so that they are not suggested again."""

from django.db import transaction
from django.utils import timezone

from records.models import DuplicatePair, MergeRecord
from records.services.merges import agency_merge, vendor_merge
from records.services.sharing import organisation_merge_into_agency


class DuplicateError(ValueError):
    """A decision that cannot be taken, with a message for the editor."""


def _undecided(pair: DuplicatePair) -> DuplicatePair:
    # Locked and read again: two editors deciding the same pair at once do not both act on it.
    current = DuplicatePair.objects.select_for_update().filter(pk=pair.pk).first()
    if current is None or current.status != DuplicatePair.Status.SUGGESTED:
        raise DuplicateError("This pair was decided meanwhile, or one of its records was merged: nothing was changed.")
    return current


@transaction.atomic
def duplicate_pair_merge(*, pair: DuplicatePair, keep_id: int, user) -> MergeRecord:
    """Merge the pair's other record into the one whose id is `keep_id`; the pair goes with the merged record."""
    pair = _undecided(pair)
    first, second = pair.first, pair.second
    if pair.kind == DuplicatePair.Kind.ORGANISATION:
        # An organisation is never kept over a directory agency: it is the agency, or not.
        if keep_id != second.pk:
            raise DuplicateError("An organisation merges into the agency: keep the agency.")
        return organisation_merge_into_agency(organisation=first, agency=second, user=user)
    if keep_id not in (first.pk, second.pk):
        raise DuplicateError("Choose one of the two records to keep.")
    keep, remove = (first, second) if keep_id == first.pk else (second, first)
    merge = agency_merge if pair.kind == DuplicatePair.Kind.AGENCY else vendor_merge
    return merge(keep=keep, remove=remove, user=user)


@transaction.atomic
def duplicate_pair_dismiss(*, pair: DuplicatePair, user) -> DuplicatePair:
    """Remember that the two records are not the same: find_duplicates leaves the pair out from now on."""
    pair = _undecided(pair)
    pair.status = DuplicatePair.Status.DIFFERENT
    pair.decided_by = user
    pair.decided_at = timezone.now()
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    return pair
