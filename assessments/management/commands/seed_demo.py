from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assessments import selectors
from assessments.models import City, Membership, Region, Role
from assessments.services.assessments import latest_questionnaire
from assessments.services.demo import demo_assessment, demo_assessments_save, demo_publishes
from opencities.editors import EDITORS_GROUP
from recommendations.services import demo_partner_ensure

DEMO_PASSWORD = "opencities-demo"  # noqa: S105 (printed by `make run`; only with DEMO_MODE on)
DEMO_LEAD = "lead@demo.test"
DEMO_EDITOR = "editor@demo.test"
DEMO_YEARS = 4  # this year and the three before it


class Command(BaseCommand):
    help = (
        "Create the demo city, the demo accounts and synthetic demonstration assessments "
        "(idempotent; needs DEMO_MODE on)."
    )

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
        self.seed_assessments(city)
        partner = self.seed_partner(city)
        self.stdout.write(f"Demo partner: {partner.organisation} <{partner.email}> follows {city.name}.")

    def seed_partner(self, city):
        return demo_partner_ensure(city=city)

    def seed_assessments(self, demo_city):
        """Synthetic submitted assessments: reference cities over the last years, the demo city before this year.

        This year's assessment of the demo city stays open, so that a visitor can start it.
        """
        try:
            questionnaire = latest_questionnaire()
        except ValidationError:
            self.stdout.write("No questionnaire is loaded: no demonstration assessments (run load_questionnaire).")
            return
        structure = selectors.questionnaire_structure(questionnaire)
        this_year = date.today().year
        years = range(this_year - DEMO_YEARS + 1, this_year + 1)
        demos = [
            demo_assessment(city=demo_city, year=year, first_year=years[0], structure=structure, public=True)
            for year in years
            if year < this_year
        ]
        references = list(City.objects.filter(is_reference=True, metro_population__isnull=False).order_by("slug"))
        if not references:
            self.stdout.write(
                "No reference cities yet: demonstration assessments for the demo city only "
                "(run import_reference_cities, then seed_demo again)."
            )
        demos += [
            demo_assessment(city=city, year=year, first_year=years[0], structure=structure, public=demo_publishes(city))
            for city in references
            for year in years
        ]
        saved = demo_assessments_save(questionnaire=questionnaire, demos=demos)
        self.stdout.write(
            f"Demonstration assessments (synthetic, labelled as such): {saved.created} created, "
            f"{saved.refreshed} refreshed, {saved.left_alone} left alone because the city has its own."
        )

    def _account(self, User, email, first_name, last_name):
        user, _created = User.objects.get_or_create(
            username=email, defaults={"email": email, "first_name": first_name, "last_name": last_name}
        )
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.save()
        return user
