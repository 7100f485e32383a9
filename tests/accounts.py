"""Users of each role, for tests."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

PASSWORD = "a-long-test-password-123"


def user(role: str):
    """role: reader (signed in, no group), staff, editor."""
    existing = get_user_model().objects.filter(username=f"{role}-user").first()
    if existing:
        return existing
    account = get_user_model().objects.create_user(f"{role}-user", password=PASSWORD)
    if role == "staff":
        account.groups.add(Group.objects.get(name="staff"))
    elif role == "editor":
        account.groups.add(Group.objects.get(name="editors"))
    return account
