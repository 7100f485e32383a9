"""What every template may ask about the reader."""

from records.rules.permissions import is_editor, is_staff_member


def roles(request) -> dict:
    # Signed-out readers cost nothing here; for staff the groups are read once per request (permissions._groups).
    user = getattr(request, "user", None)
    return {"is_staff_member": is_staff_member(user), "is_editor": is_editor(user)}
