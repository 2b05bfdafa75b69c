from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assessments.models import City, Membership, Region, Role
from opencities.editors import EDITORS_GROUP

DEMO_PASSWORD = "opencities-demo"  # noqa: S105 (printed by `make run`; only with DEMO_MODE on)
DEMO_LEAD = "lead@demo.test"
DEMO_EDITOR = "editor@demo.test"


class Command(BaseCommand):
    help = "Create the demo city and the demo accounts (idempotent; needs DEMO_MODE on)."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError(
                "seed_demo creates demonstration accounts with a published password, so it runs only with "
                "DEMO_MODE on (DEMO_MODE=1). `make run` and `make setup` set it."
            )
        with transaction.atomic():
            self.seed()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {DEMO_LEAD} and {DEMO_EDITOR}, password {DEMO_PASSWORD}")
        )

    def seed(self):
        User = get_user_model()
        city, _created = City.objects.update_or_create(
            slug="demo",
            defaults={
                "name": "Demoville",
                "country": "Demonstration",
                "region": Region.EUROPE,
                "metro_population": 1_200_000,
            },
        )
        lead = self._account(User, DEMO_LEAD, "Dana", "Demo-Lead")
        Membership.objects.filter(city=city, role=Role.LEAD).exclude(user=lead).update(role=Role.CONTRIBUTOR)
        Membership.objects.update_or_create(user=lead, city=city, defaults={"role": Role.LEAD})

        editor = self._account(User, DEMO_EDITOR, "Eli", "Demo-Editor")
        editor.is_staff = True
        editor.save(update_fields=["is_staff"])
        editor.groups.add(Group.objects.get_or_create(name=EDITORS_GROUP)[0])

    def _account(self, User, email, first_name, last_name):
        user, _created = User.objects.get_or_create(
            username=email, defaults={"email": email, "first_name": first_name, "last_name": last_name}
        )
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.save()
        return user
