"""Hand-picking peers without a multi-select: a list searched on the server, paged, with Add and Remove buttons."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from .compare_helpers import peer_city, scored_assessment
from .factories import CityFactory
from .test_compare import compare_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def subject(city, lead):
    return scored_assessment(city, 2026, 50)


@pytest.fixture
def published(subject):
    """Twelve published cities (one with an accent) and one that did not publish."""
    names = ["Żywiec", *(f"Peer {number:02d}" for number in range(11))]
    for name in names:
        slug = name.lower().replace(" ", "-").replace("ż", "z")
        scored_assessment(CityFactory(name=name, slug=slug), 2025, 60, public=True)
    scored_assessment(peer_city("Hidden Town"), 2025, 60)
    return names


def page(client, subject, query):
    return client.get(compare_url(subject, query)).content.decode()


def offered(html):
    """The cities the list offers to add, by slug."""
    return re.findall(r'<button[^>]*name="add" value="([^"]+)"', html)


def test_with_nothing_picked_the_page_says_so(client, lead, subject, published):
    client.force_login(lead)
    html = page(client, subject, "group=picked")
    assert "You have not picked any cities yet" in html
    assert "The 0 published cities you picked" not in html


def test_the_list_is_searched_on_the_server_and_paged(client, lead, subject, published):
    client.force_login(lead)
    first = page(client, subject, "group=type&city=peer-03")
    # Ten a page, by name; the one picked is offered for removal instead; unpublished cities never.
    assert offered(first) == [f"peer-{n:02d}" for n in (0, 1, 2, 4, 5, 6, 7, 8, 9)]
    assert re.search(r'name="remove" value="peer-03"', first)
    assert "hidden-town" not in first
    # The page links keep the picks, the group and the search.
    link = re.search(r'href="\?([^"#]*pick_page=2[^"#]*)', first).group(1).replace("&amp;", "&")
    assert parse_qs(link) == {"group": ["type"], "city": ["peer-03"], "pick_page": ["2"]}
    assert offered(page(client, subject, link)) == ["peer-10", "zywiec"]
    # Accents and case do not matter; the country is searched too.
    assert offered(page(client, subject, "q=ZYWIEC")) == ["zywiec"]
    assert offered(page(client, subject, "q=peer 10")) == ["peer-10"]
    assert offered(page(client, subject, "q=testland zyw")) == ["zywiec"]  # every word, in any order
    assert len(offered(page(client, subject, "q=testland"))) == 10
    assert "No published city matches" in page(client, subject, "q=atlantis")


def test_the_picks_travel_as_hidden_inputs(client, lead, subject, published):
    client.force_login(lead)
    html = page(client, subject, "group=picked&city=peer-01&city=zywiec")
    assert '<input type="hidden" name="city" value="peer-01">' in html
    assert '<input type="hidden" name="city" value="zywiec">' in html
    assert "The 2 published cities you picked" in html


def test_add_and_remove_change_the_picks_and_keep_the_search(client, lead, subject, published):
    client.force_login(lead)
    response = client.get(compare_url(subject, "group=type&city=peer-01&q=peer&pick_page=2&add=peer-02"))
    assert response.status_code == 302
    url = urlsplit(response.url)
    assert url.fragment == "city-picker"
    assert parse_qs(url.query) == {
        "group": ["picked"],
        "city": ["peer-01", "peer-02"],
        "q": ["peer"],
        "pick_page": ["2"],
    }
    response = client.get(compare_url(subject, "group=picked&city=peer-01&city=peer-02&remove=peer-01"))
    assert parse_qs(urlsplit(response.url).query) == {"group": ["picked"], "city": ["peer-02"]}
