"""Every place that names a dimension, city type, question kind or tag, or theme takes its keys from the vocabulary."""

import pytest
from django.template import Context, Template
from django.utils import translation

from assessments.citytype import CITY_TYPE_KEYS as CLASSIFIED_TYPES
from assessments.models import Question, QuestionnaireVersion
from assessments.tests.calibration_helpers import DEFAULT_CALIBRATION
from casestudies.forms import LibraryFilterForm
from casestudies.models import CityTypeTag, DimensionTag, RecommendationTheme
from opencities import method, vocabulary
from recommendations.rules import CITY_TYPES as RULE_TYPES
from recommendations.rules import TYPE_THEME_PREFERENCE


def _source_names(terms):
    with translation.override(None):
        return [(term.key, str(term.name)) for term in terms]


@pytest.mark.django_db
def test_the_loaded_questionnaire_uses_the_vocabulary_keys():
    version = QuestionnaireVersion.objects.get()
    assert tuple(version.dimensions.values_list("key", flat=True)) == vocabulary.DIMENSION_KEYS
    questions = Question.objects.filter(questionnaire=version)
    assert set(questions.values_list("kind", flat=True)) == set(vocabulary.QUESTION_KIND_KEYS)
    assert set(questions.values_list("tag", flat=True)) == set(vocabulary.QUESTION_TAG_KEYS)
    calibration = version.calibration
    themes = [(theme.key, theme.name) for theme in calibration.policy_themes]
    assert themes == _source_names(vocabulary.POLICY_THEMES)
    assert tuple(calibration.city_type.prototypes) == vocabulary.CITY_TYPE_KEYS


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "terms"),
    [
        (DimensionTag, vocabulary.DIMENSIONS),
        (CityTypeTag, vocabulary.CITY_TYPES),
        (RecommendationTheme, vocabulary.RECOMMENDATION_THEMES),
    ],
    ids=["dimensions", "city-types", "themes"],
)
def test_the_tag_rows_are_the_vocabulary_in_its_order(model, terms):
    assert list(model.objects.order_by("position").values_list("key", "name")) == _source_names(terms)


def test_the_default_calibration_and_the_method_page_name_the_vocabulary_policy_themes():
    themes = [(theme.key, theme.name) for theme in DEFAULT_CALIBRATION.policy_themes]
    assert themes == _source_names(vocabulary.POLICY_THEMES)
    assert tuple(method.POLICY_THEME_CALCULATIONS) == vocabulary.POLICY_THEME_KEYS


def test_the_rules_and_the_classifier_know_the_vocabulary_types_and_themes():
    assert RULE_TYPES == CLASSIFIED_TYPES == vocabulary.CITY_TYPE_KEYS
    assert tuple(TYPE_THEME_PREFERENCE) == vocabulary.CITY_TYPE_KEYS
    preferred = {theme for themes in TYPE_THEME_PREFERENCE.values() for theme in themes}
    assert preferred <= set(vocabulary.RECOMMENDATION_THEME_KEYS)


def test_the_model_and_form_choices_are_the_vocabulary():
    assert Question._meta.get_field("kind").choices == vocabulary.choices(vocabulary.QUESTION_KINDS)
    assert Question._meta.get_field("tag").choices == vocabulary.choices(vocabulary.QUESTION_TAGS)
    form = LibraryFilterForm()
    for field, terms in (
        ("dimension", vocabulary.DIMENSIONS),
        ("theme", vocabulary.RECOMMENDATION_THEMES),
        ("type", vocabulary.CITY_TYPES),
    ):
        assert [key for key, _name in form.fields[field].choices if key] == list(vocabulary.keys(terms))


def test_a_city_type_is_named_by_its_key_and_an_unknown_key_names_itself():
    niche_hub = vocabulary.city_type_name("niche-hub")
    assert (niche_hub.name, niche_hub.description) == (
        "Small hub with an international niche",
        str(vocabulary.CITY_TYPES[2].description),
    )
    assert vocabulary.city_type_name("unheard-of").name == "unheard-of"
    template = Template("{% load openness %}[{{ key|city_type_name }}]")
    assert template.render(Context({"key": "mega-city"})) == "[Large mega-city with critical mass]"
    assert template.render(Context({"key": ""})) == "[]"
