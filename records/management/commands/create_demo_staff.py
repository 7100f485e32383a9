import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from records.rules.permissions import EDITOR_GROUP

USERNAME = "demo-editor"


class Command(BaseCommand):
    help = "Create the demo account (an editor, so the whole staff flow can be tried) and print its password once."

    def handle(self, *args, **options):
        User = get_user_model()
        if User.objects.filter(username=USERNAME).exists():
            self.stdout.write(
                f"Demo account '{USERNAME}' already exists (its password was printed when it was created)."
            )
            return
        password = secrets.token_urlsafe(12)
        # is_staff opens the Django admin too, where editors can correct laws, merge and revert history.
        user = User.objects.create_user(USERNAME, password=password, is_staff=True)
        user.groups.add(Group.objects.get(name=EDITOR_GROUP))
        self.stdout.write(self.style.SUCCESS(f"Demo editor account: username '{USERNAME}', password '{password}'"))
        self.stdout.write("Sign in at /accounts/login/ on the running server. This password is shown only now.")
