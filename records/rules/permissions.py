"""Who may do what. Staff log and edit; editors also publish, embargo, merge and delete."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.cache import patch_cache_control

STAFF_GROUP = "staff"
EDITOR_GROUP = "editors"
PRIVATE = "private"  # records.models.Visibility.PRIVATE (rules import no models)


def _groups(user) -> set[str]:
    if not hasattr(user, "_tracker_groups"):
        user._tracker_groups = set(user.groups.values_list("name", flat=True))
    return user._tracker_groups


def is_staff_member(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or bool(_groups(user) & {STAFF_GROUP, EDITOR_GROUP})


def is_editor(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or EDITOR_GROUP in _groups(user)


def can_edit(user, record) -> bool:
    """Editors change any record. Other staff change what they added while it is private: a published record is
    the tracker's word to the public, and an embargoed one is an editor's decision to publish it on a date, so
    only an editor changes either."""
    if is_editor(user):
        return True
    return is_staff_member(user) and record.added_by_id == user.pk and record.visibility == PRIVATE


def can_propose(user, record) -> bool:
    """Staff propose a change to a published or embargoed record, for an editor to accept."""
    return is_staff_member(user) and record.visibility != PRIVATE


def _requires(check):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise PermissionDenied
            response = view(request, *args, **kwargs)
            # What staff see is for them alone: no proxy or shared cache may keep it.
            patch_cache_control(response, private=True, no_store=True)
            return response

        return wrapped

    return decorator


staff_required = _requires(is_staff_member)
editor_required = _requires(is_editor)
