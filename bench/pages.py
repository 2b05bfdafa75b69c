"""Benchmarks of the pages visitors and city members open most."""

from datetime import date
from itertools import cycle

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from django.utils.text import slugify

from assessments.models import Assessment, City, Invitation, Membership, Region, Role
from assessments.tests.compare_helpers import scored_assessment

from .registry import BARE_VIEW, benchmark

BASE_LAYOUT = "base-layout"

User = get_user_model()


def _users(emails):
    # No password: hashing hundreds of them would make the setup slower than the benchmark.
    User.objects.bulk_create(User(username=email, email=email, password=make_password(None)) for email in emails)
    by_email = User.objects.in_bulk(emails, field_name="username")
    return [by_email[email] for email in emails]


def _cities(names):
    # Slugs from the names, so benchmarks with different city names never collide.
    regions = cycle(Region.values)
    slugs = [slugify(name) for name in names]
    City.objects.bulk_create(
        City(name=name, slug=slug, country="Benchland", region=next(regions))
        for name, slug in zip(names, slugs, strict=True)
    )
    by_slug = City.objects.in_bulk(slugs, field_name="slug")
    return [by_slug[slug] for slug in slugs]


def _team(city, lead, others):
    roles = cycle([Role.CONTRIBUTOR, Role.VIEWER])
    return [Membership(user=lead, city=city, role=Role.LEAD)] + [
        Membership(user=user, city=city, role=next(roles)) for user in others
    ]


def _logged_in(user):
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@benchmark(BARE_VIEW, baseline=BARE_VIEW)
def bare_view():
    return Client(), reverse("bench_bare")


@benchmark(BASE_LAYOUT)
def base_layout():
    """An empty page in the full layout for a logged-in member: the baseline of members' pages."""
    return _logged_in(_users(["layout@bench.test"])[0]), reverse("bench_base_layout")


@benchmark("home", baseline=BASE_LAYOUT, target=3.0)
def home():
    return Client(), reverse("home")


@benchmark("my-cities", baseline=BASE_LAYOUT, target=8.0, max_queries=10)
def my_cities():
    """A member of 20 cities of 5 members each (lead of some), each with last year's result and every other one
    with this year's draft (its progress counted): no query per city."""
    member = _users(["member@bench.test"])[0]
    cities = _cities([f"My City {number:02d}" for number in range(20)])
    memberships = []
    for number, city in enumerate(cities):
        colleagues = _users([f"colleague-{number:02d}-{rank}@bench.test" for rank in range(4)])
        if number % 3 == 0:
            memberships += _team(city, member, colleagues)
        else:
            memberships += _team(city, colleagues[0], [member, *colleagues[1:]])
    Membership.objects.bulk_create(memberships)
    this_year = date.today().year
    for number, city in enumerate(cities):
        last = scored_assessment(city, this_year - 1, 40 + number)
        if number % 2 == 0:
            Assessment.objects.create(city=city, questionnaire=last.questionnaire, year=this_year)
    return _logged_in(member), reverse("my_cities")


@benchmark("city-members", baseline=BASE_LAYOUT, target=12.0, max_queries=12)
def city_members():
    """The lead's view of a city with 50 members and a few open invitations."""
    city = _cities(["Team City"])[0]
    lead, *others = _users([f"member-{number:02d}@bench.test" for number in range(50)])
    Membership.objects.bulk_create(_team(city, lead, others))
    Invitation.objects.bulk_create(
        Invitation(city=city, email=f"invited-{number}@bench.test", role=Role.VIEWER, invited_by=lead)
        for number in range(5)
    )
    return _logged_in(lead), reverse("city_members", kwargs={"slug": city.slug})
