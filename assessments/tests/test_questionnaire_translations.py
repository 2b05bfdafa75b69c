"""The questionnaire in other languages: translation files checked by key, shown in the reader's language, and never
part of a version or of a score (docs/languages.md; format in assessments/questionnaires/README.md)."""

import csv
import html
import io
import logging
import os
import re
import tomllib
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from assessments import selectors
from assessments.models import Assessment, Question
from assessments.questionnaire import parse_questionnaire
from assessments.questionnaire_translations import (
    TranslationError,
    parse_translation,
    shape_of,
    translation_file_name,
)
from assessments.services.assessments import assessment_submit

from .factories import CityFactory, MembershipFactory, UserFactory
from .wizard_helpers import QUESTIONNAIRE_FILE, fill_in, started

FOLDER = QUESTIONNAIRE_FILE.parent
GLOSSARY = Path(__file__).resolve().parents[2] / "locale" / "fr" / "glossary.toml"
FRENCH_FILE = FOLDER / translation_file_name(1, "fr")
FRENCH = FRENCH_FILE.read_text(encoding="utf-8")
DEFINITION = parse_questionnaire(QUESTIONNAIRE_FILE.read_text(encoding="utf-8"))


def french(text=FRENCH):
    return parse_translation(text, [shape_of(DEFINITION)], language="fr", source=FRENCH_FILE.name)


def problems_of(text) -> list[str]:
    with pytest.raises(TranslationError) as raised:
        french(text)
    return raised.value.problems


def changed(pattern, replacement):
    text, made = re.subn(pattern, replacement, FRENCH, count=1, flags=re.MULTILINE)
    assert made, f"pattern {pattern!r} not found in {FRENCH_FILE.name}"
    return text


def shipped_versions() -> dict[int, list]:
    """The shipped questionnaire files by major version."""
    majors: dict[int, list] = {}
    for path in sorted(FOLDER.glob("*.toml")):
        if re.fullmatch(r".+-\d+\.\d+\.toml", path.name):
            definition = parse_questionnaire(path.read_text(encoding="utf-8"))
            majors.setdefault(definition.major, []).append(definition)
    return majors


# --- The file is checked by key -------------------------------------------------------------------------------


def test_the_shipped_french_file_fits_the_shipped_questionnaire():
    texts = french()
    questions = [question for dimension in DEFINITION.dimensions for question in dimension.questions]
    assert set(texts.questions) == {question.key for question in questions}
    for question in questions:
        assert set(texts.questions[question.key].options) == {option.key for option in question.options}
        assert bool(texts.questions[question.key].unit) == bool(question.unit)
    assert set(texts.framework) == {element.key for element in DEFINITION.framework}
    # Units such as % stay as they are.
    assert texts.questions["ip-foreign-born-share"].unit == "%"


@pytest.mark.parametrize("language", selectors.questionnaire_languages())
def test_every_configured_language_but_english_has_a_translation_that_fits_every_shipped_version(language):
    assert selectors.questionnaire_languages(), "French at least is configured"
    for major, definitions in shipped_versions().items():
        path = FOLDER / translation_file_name(major, language)
        assert path.exists(), f"{path.name} is missing: see docs/languages.md, Adding a language"
        parse_translation(
            path.read_text(encoding="utf-8"),
            [shape_of(definition) for definition in definitions],
            language=language,
            source=path.name,
        )


def test_a_missing_question_is_refused_naming_it_and_the_file():
    text = changed(r"^\[questions\.ql-doctors\]$", "[questions.not-ql-doctors]")
    problems = problems_of(text)
    assert f"{FRENCH_FILE.name}, question 'ql-doctors': missing (questionnaire version 1.0 has it)" in problems


def test_an_unknown_question_is_refused_naming_it():
    problems = problems_of(FRENCH + '\n[questions.ql-pets]\ntext = "Animaux ?"\nhelp = "Un registre."\n')
    assert problems == [f"{FRENCH_FILE.name}, question 'ql-pets': unknown key: no version of the questionnaire has it"]


def test_a_different_option_count_is_refused_naming_the_question_and_the_options():
    text = changed(r'^  sign-language = ".*"\n', "")
    problems = problems_of(text)
    assert len(problems) == 1
    assert problems[0].startswith(f"{FRENCH_FILE.name}, question 'we-information-languages': has 6 options;")
    assert "the questionnaire has 7" in problems[0] and "missing sign-language" in problems[0]


def test_an_option_under_another_key_is_refused_naming_both():
    text = changed(r"^  sign-language = ", "  sign-languages = ")
    (problem,) = problems_of(text)
    assert "question 'we-information-languages'" in problem
    assert "missing sign-language" in problem and "unknown sign-languages" in problem


@pytest.mark.parametrize(
    ("pattern", "replacement", "expected"),
    [
        (r'^help = "Les horaires en vigueur.*"\n', "", "question 'cf-rail-access': 'help' is missing"),
        (r'^unit = "écoles"\n', "", "question 'te-international-schools': 'unit' is missing"),
        (r'^text = "Les résidents étrangers', 'hint = "x"\ntext = "Les résidents étrangers', "unknown field 'hint'"),
        (
            r"^\[questions\.te-research-partnerships\]\n",
            '[questions.te-research-partnerships]\nladder = "maturity"\n',
            "question 'te-research-partnerships': has 'ladder', but a yesno question has no options",
        ),
        (
            r"^\[questions\.ic-local-voting\]\n",
            '[questions.ic-local-voting]\nladder = "maturity"\n',
            "give either 'ladder' or 'options', not both",
        ),
        (r'^evaluated = "En place et évalué"\n', "", "[maturity_ladder]: 'evaluated' is missing"),
        (r'^name = "Budget"\n', "", "framework element 'budget': 'name' is missing"),
        (r'^language = "fr"', 'language = "de"', 'this file is for "fr"'),
        (r'^questionnaire = "1"', 'questionnaire = "2"', 'this file serves "1"'),
    ],
)
def test_each_problem_names_where_it_is(pattern, replacement, expected):
    problems = problems_of(changed(pattern, replacement))
    assert any(expected in problem for problem in problems), problems
    assert all(problem.startswith(FRENCH_FILE.name) for problem in problems)


def test_one_file_serves_every_version_of_its_major_version():
    # A 1.1 that drops a question and adds one: the file needs both, as 1.0's assessments still show the first.
    source = QUESTIONNAIRE_FILE.read_text(encoding="utf-8")
    later = parse_questionnaire(source.replace('version = "1.0"', 'version = "1.1"').replace("ql-doctors", "ql-gps"))
    with pytest.raises(TranslationError) as raised:
        parse_translation(FRENCH, [shape_of(DEFINITION), shape_of(later)], language="fr", source=FRENCH_FILE.name)
    assert raised.value.problems == [
        f"{FRENCH_FILE.name}, question 'ql-gps': missing (questionnaire version 1.1 has it)"
    ]


def test_the_french_step_names_are_the_glossarys_dimension_names():
    glossary = tomllib.loads(GLOSSARY.read_text(encoding="utf-8"))
    texts = french()
    assert {dimension.key: glossary["dimensions"][dimension.name] for dimension in DEFINITION.dimensions} == {
        key: dimension.name for key, dimension in texts.dimensions.items()
    }
    # The maturity ladder is a term of the method too.
    ladder = french().questions["lg-strategy"].options
    english = {option.key: option.label for option in DEFINITION.dimensions[2].questions[0].options}
    assert ladder == {key: glossary["maturity_ladder"][label] for key, label in english.items()}


# --- The pages show the reader's language ---------------------------------------------------------------------


def _page(client, name, **kwargs):
    with translation.override("fr"):
        url = reverse(name, kwargs=kwargs)
    assert url.startswith("/fr/")
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.mark.django_db
def test_a_wizard_step_in_french_shows_the_french_questions_and_options(client, city, lead):
    assessment = started(city, lead)
    client.force_login(lead)
    texts = french()
    content = _page(client, "assessment_step", slug=city.slug, pk=assessment.pk, step="welcome-entry")
    assert texts.dimensions["welcome-entry"].name in content  # the step's title
    assert texts.dimensions["welcome-entry"].description in content
    for key in ("we-information-languages", "we-national-advocacy", "we-one-stop-service"):
        assert texts.questions[key].text in content
        assert texts.questions[key].help in content
        assert all(label in content for label in texts.questions[key].options.values())
    assert "Is there a single place, physical or online" not in content
    assert "Partial or pilot" not in content
    # The steps' list names every dimension in French.
    assert all(dimension.name in content for dimension in texts.dimensions.values())
    # The translation is read, never stored in the version.
    assert Question.objects.get(questionnaire=assessment.questionnaire, key="we-one-stop-service").text.startswith(
        "Is there a single place"
    )


@pytest.mark.django_db
def test_the_framework_step_the_review_and_the_print_view_are_in_french(client, city, lead):
    assessment = started(city, lead)
    client.force_login(lead)
    texts = french()
    framework = _page(client, "assessment_step", slug=city.slug, pk=assessment.pk, step="framework")
    assert all(element.name in framework and element.help in framework for element in texts.framework.values())
    review = _page(client, "assessment_review", slug=city.slug, pk=assessment.pk)
    assert texts.questions["ip-foreign-born-share"].text in review  # what is missing, in French
    assert texts.framework["strategy"].name in review
    printed = _page(client, "questionnaire_print", version="1.0")
    assert texts.title in printed
    assert texts.questions["cf-rail-access"].options["international"] in printed
    assert texts.questions["lg-budget"].unit in printed
    assert texts.framework["evaluation"].help in printed


@pytest.mark.django_db
def test_the_answers_export_in_french_has_the_french_texts(client, city, lead):
    assessment = fill_in(started(city, lead), lead)
    client.force_login(lead)
    texts = french()
    with translation.override("fr"):
        url = reverse("assessment_export", kwargs={"slug": city.slug, "pk": assessment.pk, "fmt": "csv"})
    content = client.get(url).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), csv.Sniffer().sniff(content.splitlines()[0], delimiters=",;")))
    by_key = {row[1]: row for row in rows[1:]}
    assert by_key["lg-strategy"][0] == texts.dimensions["leadership-governance"].name
    assert by_key["lg-strategy"][2] == texts.questions["lg-strategy"].text
    assert by_key["lg-strategy"][4] in texts.questions["lg-strategy"].options.values()
    assert by_key["ql-air-quality"][4].endswith(texts.questions["ql-air-quality"].unit)
    assert by_key["strategy"][2] == texts.framework["strategy"].name


@pytest.mark.django_db
def test_the_profile_in_french_names_the_dimensions_themes_and_elements_in_french(client, city, lead):
    assessment = fill_in(started(city, lead), lead)
    assessment_submit(assessment=assessment, user=lead)
    Assessment.objects.filter(pk=assessment.pk).update(is_public=True)
    texts = french()
    with translation.override("fr"):
        profile = selectors.profile_data(
            Assessment.objects.select_related("questionnaire", "result").get(pk=assessment.pk)
        )
    assert [row.name for row in profile.dimensions] == [dimension.name for dimension in texts.dimensions.values()]
    assert [row.name for row in profile.framework] == [element.name for element in texts.framework.values()]
    assert [row.name for row in profile.policy_themes] == [
        "Leadership et gouvernance",
        "Internationalisation",
        "Gestion de la diversité",
    ]
    content = _page(client, "public_profile", slug=city.slug, year=assessment.year)
    assert all(dimension.name in content for dimension in texts.dimensions.values())
    assert "International population & diversity" not in content


@pytest.mark.django_db
def test_scores_are_the_same_whatever_the_language():
    results = {}
    for language in ("en", "fr"):
        city = CityFactory(name=f"Ville {language}", slug=f"ville-{language}")
        lead = MembershipFactory(city=city, role="lead", user=UserFactory(email=f"lead@{language}.test")).user
        with translation.override(language):
            assessment = fill_in(started(city, lead), lead)
            assessment_submit(assessment=assessment, user=lead)
        result = assessment.result
        result.refresh_from_db()
        results[language] = (
            result.scores_by_dimension,
            result.openness_index,
            result.completeness,
            result.framework_score,
            result.policy_themes,
            result.city_type,
            [(row.dimension.key, row.score) for row in assessment.dimension_scores.select_related("dimension")],
        )
    assert results["fr"] == results["en"]
    with translation.override("en"):
        english = selectors.questionnaire_structure(assessment.questionnaire).specs
    with translation.override("fr"):
        assert selectors.questionnaire_structure(assessment.questionnaire).specs == english


# --- Read from the file at run time -----------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A folder of translation files in place of the shipped one, starting with the shipped French."""
    monkeypatch.setattr(selectors, "QUESTIONNAIRES_DIR", tmp_path)
    (tmp_path / FRENCH_FILE.name).write_text(FRENCH, encoding="utf-8")
    return tmp_path


@pytest.mark.django_db
def test_a_corrected_translation_is_shown_with_no_new_version(folder, city, lead):
    assessment = started(city, lead)
    path = folder / FRENCH_FILE.name
    with translation.override("fr"):
        before = selectors.questionnaire_structure(assessment.questionnaire).dimension("talent-education")
        path.write_text(FRENCH.replace("Comment la ville attire, forme", "Comment la ville attire, accueille"), "utf-8")
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
        after = selectors.questionnaire_structure(assessment.questionnaire).dimension("talent-education")
    assert before.description.startswith("Comment la ville attire, forme")
    assert after.description.startswith("Comment la ville attire, accueille")
    assert assessment.questionnaire.version == "1.0"


@pytest.mark.django_db
def test_a_refused_or_missing_file_shows_the_english_texts_and_says_why(folder, city, lead, caplog):
    assessment = started(city, lead)
    path = folder / FRENCH_FILE.name
    path.write_text(FRENCH.replace("[questions.ql-doctors]", "[questions.ql-doctorz]"), encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="assessments.selectors"), translation.override("fr"):
        structure = selectors.questionnaire_structure(assessment.questionnaire)
    assert structure.language == "en"
    assert structure.dimension("talent-education").name == "Talent & education"
    assert "question 'ql-doctors': missing" in caplog.text
    path.unlink()
    with translation.override("fr"):
        assert selectors.questionnaire_structure(assessment.questionnaire).language == "en"


@pytest.mark.django_db
def test_the_command_refuses_a_version_its_translations_do_not_fit(folder, tmp_path_factory, without_questionnaire):
    source = QUESTIONNAIRE_FILE.read_text(encoding="utf-8")
    later = tmp_path_factory.mktemp("questionnaires") / "opencities-1.1.toml"
    later.write_text(source.replace('version = "1.0"', 'version = "1.1"').replace("ql-doctors", "ql-gps"), "utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("load_questionnaire", str(later))
    message = str(raised.value)
    assert "was not loaded (nothing was written)" in message
    assert f"{FRENCH_FILE.name}, question 'ql-gps': missing (questionnaire version 1.1 has it)" in message
    assert f"{FRENCH_FILE.name}, question 'ql-doctors': unknown key" in message
