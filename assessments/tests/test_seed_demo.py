import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessments.models import City, Membership, Role

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_without_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="runs only with DEMO_MODE on"):
        call_command("seed_demo")
    assert not City.objects.filter(slug="demo").exists()


def test_seed_demo_is_idempotent_and_the_accounts_log_in(client, settings):
    settings.DEMO_MODE = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert City.objects.filter(slug="demo").count() == 1
    lead = Membership.objects.get(city__slug="demo", role=Role.LEAD)
    assert lead.user.email == "lead@demo.test"

    response = client.post(reverse("login"), {"username": "lead@demo.test", "password": "opencities-demo"})
    assert response.status_code == 302
    assert "Demoville" in client.get(reverse("my_cities")).content.decode()

    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "editor@demo.test", "password": "opencities-demo"})
    assert client.get(reverse("admin:index")).status_code == 200
