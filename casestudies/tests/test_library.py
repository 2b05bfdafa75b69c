"""The public library: filters kept in the URL, search, pagination, drafts for editors only, related entries."""

import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from casestudies import search_columns, selectors
from casestudies.models import CaseStudy

from .factories import CaseStudyFactory

pytestmark = pytest.mark.django_db
LIBRARY = reverse("casestudies:library")
with translation.override("fr"):
    LIBRARY_FR = reverse("casestudies:library")
    ENGLISH_ONLY = translation.gettext("available in English only")  # the label as French pages show it


def titles(html):
    return re.findall(r'<h2 class="h5 card-title"><a href="[^"]+"[^>]*>([^<]+)</a>', html)


@pytest.fixture
def library():
    return {
        "welcome": CaseStudyFactory(
            title="Welcome desk", dimensions=["welcome-entry"], themes=["welcome-centre"], city_types=["niche-hub"]
        ),
        "students": CaseStudyFactory(
            title="Student retention",
            region="asia",
            city="Seoul",
            country="South Korea",
            summary="Graduates are helped to find work and stay.",
            what_was_done="Job coaching for graduates.",
            dimensions=["talent-education"],
            themes=["students-graduates"],
            city_types=["mega-city", "world-city"],
        ),
        "draft": CaseStudyFactory(title="Unfinished idea", status=CaseStudy.Status.DRAFT),
    }


def test_everyone_sees_the_published_entries_and_no_drafts(client, library):
    html = client.get(LIBRARY).content.decode()
    assert titles(html) == ["Student retention", "Welcome desk"]
    assert "2 case studies" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dimension=talent-education", ["Student retention"]),
        ("theme=welcome-centre", ["Welcome desk"]),
        ("type=world-city", ["Student retention"]),
        ("region=asia", ["Student retention"]),
        ("region=europe&type=niche-hub&dimension=welcome-entry", ["Welcome desk"]),
        ("region=asia&theme=welcome-centre", []),
        ("q=graduates", ["Student retention"]),
        ("q=WELCOME desk", ["Welcome desk"]),
        ("q=graduates&region=europe", []),
    ],
)
def test_filters_combine_and_live_in_the_url(client, library, query, expected):
    html = client.get(f"{LIBRARY}?{query}").content.decode()
    assert titles(html) == expected
    if not expected:
        assert "No case study matches these filters" in html


def test_an_unknown_filter_value_is_explained_and_left_out(client, library):
    html = client.get(f"{LIBRARY}?dimension=happiness&region=asia").content.decode()
    assert "Some filters could not be used" in html and "happiness" in html
    assert titles(html) == ["Student retention"]  # the region still applies


def test_pages_keep_the_filters(client):
    for number in range(30):
        CaseStudyFactory(title=f"Entry {number:02d}", region="africa")
    html = client.get(f"{LIBRARY}?region=africa").content.decode()
    assert "Page 1 of 3" in html
    assert 'href="?region=africa&amp;page=2"' in html
    assert titles(client.get(f"{LIBRARY}?region=africa&page=3").content.decode()) == [
        f"Entry {n:02d}" for n in range(24, 30)
    ]
    # A page number past the end shows the last page, not an error.
    assert "Page 3 of 3" in client.get(f"{LIBRARY}?region=africa&page=99").content.decode()


def test_an_entry_shows_its_sections_sources_and_related_entries(client, library):
    related = CaseStudyFactory(title="Another welcome", dimensions=["welcome-entry"], city_types=["niche-hub"])
    html = client.get(library["welcome"].get_absolute_url()).content.decode()
    assert "<strong>welcome desk</strong>" in html  # Markdown rendered
    assert 'href="https://www.stadt-zuerich.ch/report"' in html
    assert "Related case studies" in html and related.title in html
    assert "Student retention" not in html.split("Related case studies")[1]  # shares nothing


def test_an_entry_link_from_a_filtered_list_leads_back_to_it(client, library):
    html = client.get(f"{LIBRARY}?dimension=welcome-entry").content.decode()
    url = library["welcome"].get_absolute_url()
    link = re.search(rf'href="({url}[^"]*)"', html).group(1).replace("&amp;", "&")
    detail = client.get(link).content.decode()
    assert f'href="{LIBRARY}?dimension=welcome-entry"' in detail


def test_the_back_link_is_rebuilt_from_known_filters_only(client, library):
    html = client.get(
        library["welcome"].get_absolute_url() + "?from=next%3Dhttps%3A%2F%2Fevil.example"
    ).content.decode()
    assert not [link for link in re.findall(r'href="([^"]*)"', html) if "evil.example" in link]


def test_a_draft_is_found_only_by_editors(client, library, lead, editor):
    url = library["draft"].get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(lead)
    assert client.get(url).status_code == 404
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 200 and "only editors see this entry" in response.content.decode()


def test_a_hostile_body_is_neutralised_on_the_page(client):
    entry = CaseStudyFactory(
        what_was_done='<script>alert("x")</script>\n\n<img src=x onerror="alert(1)">\n\n[link](javascript:alert(1))'
    )
    html = client.get(entry.get_absolute_url()).content.decode()
    body = html.split("<article>")[1].split("</article>")[0]
    assert "<script" not in body and "onerror" not in body and "javascript:" not in body


def test_the_navigation_offers_case_studies_and_downloads(client):
    html = client.get(reverse("home")).content.decode()
    assert f'href="{LIBRARY}"' in html and f'href="{reverse("casestudies:downloads")}"' in html


def test_the_list_reads_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for number in range(15):
        CaseStudyFactory(title=f"Entry {number}", dimensions=["welcome-entry", "talent-education"])
    with django_assert_max_num_queries(8):
        client.get(f"{LIBRARY}?dimension=welcome-entry&q=newcomers&region=europe&type=niche-hub&theme=welcome-centre")


@pytest.mark.postgres
def test_postgresql_search_uses_word_stems_ranking_and_the_index(library):
    found = selectors.library(selectors.LibraryFilters(query="graduate staying"))
    assert [entry.title for entry in found] == ["Student retention"]  # "Graduates … stay", by their stems

    CaseStudy.objects.bulk_create(
        CaseStudy(title=f"Filler {n}", slug=f"filler-{n}", status="published", search_text=f"ordinary text {n}")
        for n in range(2_000)
    )
    sql, params = selectors.library(selectors.LibraryFilters(query="graduate")).query.sql_with_params()
    with connection.cursor() as cursor:
        # New rows wait in GIN's pending list until autovacuum moves them; the planner then prices the index high.
        cursor.execute("SELECT gin_clean_pending_list('casestudy_search_vector'::regclass)")
        cursor.execute("ANALYZE casestudies_casestudy")
        # Short filler texts make reading the whole table cheap; forbid that to see the index the search can use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "casestudy_search_vector" in plan, plan


def test_weaknesses_get_entries_for_their_dimension_those_suiting_the_type_first():
    CaseStudyFactory(title="A generic desk", dimensions=["welcome-entry"], city_types=["world-city"])
    CaseStudyFactory(title="Z desk for hubs", dimensions=["welcome-entry"], city_types=["niche-hub"])
    CaseStudyFactory(title="B desk", dimensions=["welcome-entry"], city_types=["mega-city"])
    CaseStudyFactory(title="C desk", dimensions=["welcome-entry"], city_types=["mega-city"])
    CaseStudyFactory(title="Hidden desk", dimensions=["welcome-entry"], status=CaseStudy.Status.DRAFT)
    links = selectors.for_weaknesses(["welcome-entry", "talent-education"], "niche-hub")
    assert [link.title for link in links["welcome-entry"]] == ["Z desk for hubs", "A generic desk", "B desk"]
    assert "talent-education" not in links


def test_the_home_page_shows_the_latest_published_case_studies(client, library):
    html = client.get(reverse("home")).content.decode()
    assert "Latest case studies" in html
    assert library["welcome"].title in html and library["draft"].title not in html


def test_the_method_page_offers_the_research_brief(client):
    assert reverse("casestudies:brief") in client.get(reverse("about_method")).content.decode()


# --- In French: the translations where they exist, the English marked as such where they do not ---


@pytest.fixture
def bilingual():
    return {
        "translated": CaseStudyFactory(
            title="Welcome desk",
            title_fr="Guichet d’accueil",
            summary="A desk where newcomers register.",
            summary_fr="Un guichet où les nouveaux arrivants s’inscrivent.",
        ),
        "english": CaseStudyFactory(title="Student retention", summary="Graduates are helped to stay."),
    }


def card(html, title):
    return next(part for part in html.split("<article")[1:] if title in part)


def test_the_french_library_shows_the_french_texts_and_marks_the_english_ones(client, bilingual):
    html = client.get(LIBRARY_FR).content.decode()
    assert titles(html) == ["Guichet d’accueil", "Student retention"]  # ordered by the title the reader sees
    translated = card(html, "Guichet d’accueil")
    assert "Un guichet où les nouveaux arrivants s’inscrivent." in translated
    assert ENGLISH_ONLY not in translated and 'lang="en"' not in translated
    english = card(html, "Student retention")
    assert re.search(r'<a href="[^"]+" lang="en">Student retention</a>', english)
    assert '<p class="card-text" lang="en">Graduates are helped to stay.' in english
    assert english.count(ENGLISH_ONLY) == 2  # title and summary
    assert 'class="badge text-bg-light border fw-normal align-middle source-only" lang="fr"' in english


def test_the_english_library_shows_no_label(client, bilingual):
    html = client.get(LIBRARY).content.decode()
    assert titles(html) == ["Student retention", "Welcome desk"]
    assert ENGLISH_ONLY not in html and 'lang="en">' not in html.split("<main", 1)[1]


def test_a_french_entry_page_has_its_french_title_and_summary_and_labels_the_english_sections(client, bilingual):
    with translation.override("fr"):
        url = bilingual["translated"].get_absolute_url()
    assert url.startswith("/fr/")
    html = client.get(url).content.decode()
    article = html.split("<article>")[1].split("</article>")[0]
    assert "<h1>Guichet d’accueil</h1>" in article
    assert '<p class="lead">Un guichet où les nouveaux arrivants s’inscrivent.</p>' in article
    # The body was not translated: its English is marked and labelled.
    assert '<div lang="en"><p>The city opened a <strong>welcome desk</strong>.</p></div>' in article
    assert article.count(ENGLISH_ONLY) == 1  # the one section, not the title or the summary
    assert "<title>Guichet d’accueil" in html


def test_the_search_in_french_finds_french_words(client, bilingual):
    assert titles(client.get(LIBRARY_FR, {"q": "guichet"}).content.decode()) == ["Guichet d’accueil"]
    assert titles(client.get(LIBRARY, {"q": "guichet"}).content.decode()) == []  # not in the English text
    # An entry not yet translated is found in French by the English a French reader sees.
    assert titles(client.get(LIBRARY_FR, {"q": "graduates"}).content.decode()) == ["Student retention"]


def test_the_weaknesses_links_are_titled_in_the_active_language(bilingual):
    with translation.override("fr"):
        links = selectors.for_weaknesses(["welcome-entry"], "niche-hub")
    assert [link.title for link in links["welcome-entry"]] == ["Guichet d’accueil", "Student retention"]
    with translation.override("en"):  # a request to a French page leaves French active in the thread
        links = selectors.for_weaknesses(["welcome-entry"], "niche-hub")
    assert [link.title for link in links["welcome-entry"]] == ["Student retention", "Welcome desk"]


@pytest.mark.postgres
def test_postgresql_searches_french_with_french_stems_and_its_own_index(bilingual):
    CaseStudyFactory(title="Students", title_fr="Les étudiants étrangers", summary_fr="Des étudiantes accueillies.")
    with translation.override("fr"):
        found = selectors.library(selectors.LibraryFilters(query="étudiant accueillir"))
        assert [entry.title for entry in found] == ["Les étudiants étrangers"]  # by French stems
        sql, params = selectors.library(selectors.LibraryFilters(query="guichet")).query.sql_with_params()
    with translation.override("en"):
        assert not list(selectors.library(selectors.LibraryFilters(query="étudiant accueillir")))  # English stems
    CaseStudy.objects.bulk_create(
        CaseStudy(title=f"Filler {n}", slug=f"filler-{n}", status="published", search_text_fr=f"texte {n}")
        for n in range(2_000)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list('casestudy_search_vector_fr'::regclass)")
        cursor.execute("ANALYZE casestudies_casestudy")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "casestudy_search_vector_fr" in plan, plan


def test_every_language_of_the_site_has_a_search_configuration(settings):
    # Without one, a language's search on PostgreSQL falls back to matching words (docs/languages.md).
    assert {code for code, _name in settings.LANGUAGES} <= set(search_columns.configurations())


@pytest.mark.postgres
def test_a_languages_search_column_is_made_after_migrate_from_settings_alone():
    """What adding a language relies on: no hand-written migration, the column and index come from configuration."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE casestudies_casestudy DROP COLUMN search_vector_fr")  # its index goes with it
    assert search_columns.search_columns_sync() == ["search_vector_fr"]
    assert search_columns.search_columns_sync() == []  # idempotent: every migrate runs it
    CaseStudyFactory(title="Students", title_fr="Les étudiants étrangers", summary_fr="Des étudiantes accueillies.")
    with translation.override("fr"):
        found = selectors.library(selectors.LibraryFilters(query="étudiant"))
        assert [entry.title for entry in found] == ["Les étudiants étrangers"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'casestudies_casestudy'")
        assert "casestudy_search_vector_fr" in {name for (name,) in cursor.fetchall()}


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("language", "fields", "query"),
    [
        ("de", {"title_de": "Internationale Studenten", "summary_de": "Beratung für Zugewanderte."}, "Student"),
        ("es", {"title_es": "Estudiantes internacionales", "summary_es": "Oficinas de acogida."}, "estudiante"),
        ("de", {"title_de": "Willkommen", "summary_de": "Eine Beratungsstelle für Familien."}, "Familie"),
        ("es", {"title_es": "Acogida", "summary_es": "Una oficina para familias recién llegadas."}, "familia"),
    ],
    ids=["german-title", "spanish-title", "german-summary", "spanish-summary"],
)
def test_german_and_spanish_searches_find_the_translated_text_by_its_stem(language, fields, query):
    """A singular finds the plural in the reader's language, on its own search column (search_columns.py)."""
    entry = CaseStudyFactory(title="Welcome desk", summary="A desk for newcomers.", **fields)
    CaseStudy.objects.get(pk=entry.pk).save()  # the search text of each language, as every save writes it
    with translation.override(language):
        found = selectors.library(selectors.LibraryFilters(query=query))
        assert [case_study.pk for case_study in found] == [entry.pk]
    with translation.override("en"):
        assert not list(selectors.library(selectors.LibraryFilters(query=query)))
