"""Loading questionnaire files: every problem named, nothing loaded from a bad file, versions immutable."""

import re

import pytest
from django.core.management import CommandError, call_command

from assessments.models import Dimension, Option, Question, QuestionnaireVersion
from assessments.questionnaire import QuestionnaireError, parse_questionnaire
from opencities.vocabulary import DIMENSION_KEYS, QUESTION_KIND_KEYS, QUESTION_TAG_KEYS

from .wizard_helpers import QUESTIONNAIRE_FILE

SOURCE = QUESTIONNAIRE_FILE.read_text(encoding="utf-8")


def test_the_shipped_questionnaire_follows_the_method():
    definition = parse_questionnaire(SOURCE)
    assert definition.version == "1.0"
    assert tuple(dimension.key for dimension in definition.dimensions) == DIMENSION_KEYS
    questions = [q for d in definition.dimensions for q in d.questions]
    assert 45 <= len(questions) <= 55
    assert all(5 <= len(d.questions) <= 7 for d in definition.dimensions)
    assert {q.tag for q in questions} == set(QUESTION_TAG_KEYS)
    assert {q.kind for q in questions} == set(QUESTION_KIND_KEYS)
    assert all(q.help for q in questions), "every question says what counts as evidence"
    assert len(definition.framework) == 12


def mutate(pattern, replacement, count=1):
    changed, made = re.subn(pattern, replacement, SOURCE, count=count)
    assert made, f"pattern {pattern!r} not found in the questionnaire"
    return changed


FIRST_CHOICE_KEY = re.search(r'key = "([a-z0-9-]+)"\s*\n\s*kind = "choice"', SOURCE).group(1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (mutate(r'kind = "choice"', 'kind = "choose"'), "unknown kind 'choose'"),
        (mutate(r"points = 0\b", "points = 120"), "outside 0–100"),
        (mutate(r"points = 0\b", 'label_only = "x"'), "'points' is missing"),
        (mutate(r'key = "welcome-entry"', 'key = "welcome"'), "unknown dimension key"),
        (
            mutate(rf'key = "{FIRST_CHOICE_KEY}"', 'key = "ip-foreign-born-share"'),
            "duplicate key 'ip-foreign-born-share'",
        ),
        (mutate(r'version = "1.0"', 'version = "one"'), "must look like 1.0"),
        (mutate(r"low_below = 40", "low_below = 140"), "[calibration]"),
        (
            mutate(r"not_applicable_max_share = 0.5", "not_applicable_max_share = 0.2"),
            "the calibration allows at most 1",
        ),
        (mutate(r"\ninternationalisation  =", "\ninternationalization =", count=1), "the themes must be"),
        (
            mutate(r'name = "Managing Diversity"', 'name = "Diversity"'),
            "theme 'managing-diversity' is named 'Diversity'; the method names it 'Managing Diversity'",
        ),
        ("this is = = not toml", "not valid TOML"),
    ],
)
def test_a_bad_file_names_the_problem(text, expected):
    with pytest.raises(QuestionnaireError) as raised:
        parse_questionnaire(text)
    assert any(expected in problem for problem in raised.value.problems), raised.value.problems


def test_every_problem_is_listed_not_only_the_first():
    text = mutate(r'kind = "choice"', 'kind = "choose"', count=2)
    with pytest.raises(QuestionnaireError) as raised:
        parse_questionnaire(text)
    assert sum("unknown kind 'choose'" in problem for problem in raised.value.problems) == 2


@pytest.mark.django_db
def test_the_command_loads_once_and_then_changes_nothing(capsys, without_questionnaire):
    call_command("load_questionnaire", str(QUESTIONNAIRE_FILE))
    counts = (
        QuestionnaireVersion.objects.count(),
        Dimension.objects.count(),
        Question.objects.count(),
        Option.objects.count(),
    )
    assert counts[:3] == (1, 9, 54)
    call_command("load_questionnaire", str(QUESTIONNAIRE_FILE))
    assert "nothing changed" in capsys.readouterr().out
    assert (
        QuestionnaireVersion.objects.count(),
        Dimension.objects.count(),
        Question.objects.count(),
        Option.objects.count(),
    ) == counts


@pytest.mark.django_db
def test_a_changed_file_needs_a_new_version_number(tmp_path, without_questionnaire):
    call_command("load_questionnaire", str(QUESTIONNAIRE_FILE))
    changed = tmp_path / "changed.toml"
    changed.write_text(mutate(r'title = "[^"]+"', 'title = "Edited"'), encoding="utf-8")
    with pytest.raises(CommandError, match="give the changed file a new version number"):
        call_command("load_questionnaire", str(changed))
    assert QuestionnaireVersion.objects.get().title != "Edited"
    renumbered = tmp_path / "renumbered.toml"
    renumbered.write_text(mutate(r'version = "1.0"', 'version = "1.1"'), encoding="utf-8")
    call_command("load_questionnaire", str(renumbered))
    assert QuestionnaireVersion.objects.count() == 2


@pytest.mark.django_db
def test_a_file_changed_only_in_its_comments_is_the_same_version(tmp_path, capsys, without_questionnaire):
    call_command("load_questionnaire", str(QUESTIONNAIRE_FILE))
    loaded = QuestionnaireVersion.objects.get()
    commented = tmp_path / "commented.toml"
    commented.write_text("# A comment added by a reviewer.\n" + QUESTIONNAIRE_FILE.read_text("utf-8"), encoding="utf-8")
    call_command("load_questionnaire", str(commented))
    assert QuestionnaireVersion.objects.get().source_sha256 == loaded.source_sha256  # nothing loaded again


@pytest.mark.django_db
def test_a_bad_file_writes_nothing(tmp_path, without_questionnaire):
    bad = tmp_path / "bad.toml"
    bad.write_text(mutate(r'kind = "choice"', 'kind = "choose"'), encoding="utf-8")
    with pytest.raises(CommandError, match="was not loaded \\(nothing was written\\)"):
        call_command("load_questionnaire", str(bad))
    assert not QuestionnaireVersion.objects.exists()
    assert not Question.objects.exists()


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('title = "Zürich"'.encode("latin-1"))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("load_questionnaire", str(bad))
