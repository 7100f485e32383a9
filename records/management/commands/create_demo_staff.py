import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from records.permissions import STAFF_GROUP

USERNAME = "demo-staff"


class Command(BaseCommand):
    help = "Create the demo staff account and print its password once (only when it is first created)."

    def handle(self, *args, **options):
        group = Group.objects.get(name=STAFF_GROUP)
        User = get_user_model()
        if User.objects.filter(username=USERNAME).exists():
            self.stdout.write(
                f"Demo staff account '{USERNAME}' already exists (its password was printed when it was created)."
            )
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(USERNAME, password=password, is_staff=True)
        user.groups.add(group)
        self.stdout.write(self.style.SUCCESS(f"Demo staff account: username '{USERNAME}', password '{password}'"))
        self.stdout.write("Sign in at /admin/ on the running server. This password is shown only now.")
