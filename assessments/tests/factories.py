import factory
from django.contrib.auth import get_user_model

from assessments.models import AccessRequest, City, Membership, Region, Role

PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    email = factory.Sequence(lambda n: f"person{n}@city.test")
    username = factory.LazyAttribute(lambda user: user.email)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(PASSWORD)


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City

    name = factory.Sequence(lambda n: f"Testopolis {n}")
    slug = factory.Sequence(lambda n: f"testopolis-{n}")
    country = "Testland"
    region = Region.EUROPE
    metro_population = 800_000


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    city = factory.SubFactory(CityFactory)
    role = Role.CONTRIBUTOR


class AccessRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessRequest

    full_name = "Ada Łukasiewicz"
    email = factory.Sequence(lambda n: f"requester{n}@lodz.test")
    job_title = "International relations office"
    city_name = "Łódź"
    country = "Poland"
    region = Region.EUROPE
