"""The method's vocabulary: the stable key and display name of every dimension, city type, question kind and tag,
score band, policy theme and recommendation theme (see docs/method.md).

The one definition of these keys and names: the questionnaire loader, the tag rows, the model and form choices,
the recommendation rules, the admin and the public pages take them from here. Where data must spell a key itself
(the questionnaire file, the classification rules, the rules' tailoring by type), opencities/tests/test_vocabulary.py
checks it against this module.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Term:
    """A stable key (stored in answers, tags and rules, so it never changes) and its display name."""

    key: str
    name: str


@dataclass(frozen=True)
class CityType(Term):
    description: str
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Dimension(Term):
    description: str
    monitor_areas: tuple[str, ...]
    question_themes: tuple[str, ...]


@dataclass(frozen=True)
class CityTypeName:
    """A city type's name and one-line description, translated for the current language."""

    key: str
    name: str
    description: str


# The method's order, which also breaks ties between equally near prototypes (assessments/citytype.py).
CITY_TYPES = (
    CityType(
        key="world-city",
        name=_("Established world city"),
        description=_(
            "A long-standing global centre whose firms, institutions and culture already reach every continent."
        ),
        examples=("London", "New York", "Paris", "Tokyo"),
    ),
    CityType(
        key="mega-city",
        name=_("Large mega-city with critical mass"),
        description=_("A very large metropolis whose sheer size draws international business, people and events."),
        examples=("São Paulo",),
    ),
    CityType(
        key="niche-hub",
        name=_("Small hub with an international niche"),
        description=_(
            "A compact city that is known worldwide for one speciality, such as finance, festivals or research."
        ),
        examples=("Zürich", "Edinburgh"),
    ),
    CityType(
        key="secondary-city",
        name=_("Ambitious secondary city"),
        description=_(
            "A city outside its country's main centre that looks abroad for the opportunities its national "
            "system holds back."
        ),
        examples=("Manchester", "Barcelona"),
    ),
    CityType(
        key="historic-world-city",
        name=_("Historic world city regaining its place"),
        description=_(
            "A city that once played a global role, lost some of it, and is working to win that standing back."
        ),
        examples=("Singapore", "Madrid"),
    ),
)

DIMENSIONS = (
    Dimension(
        key="international-population",
        name=_("International population & diversity"),
        description=_("Who lives in the city, where they come from, and whether the city knows and tracks this."),
        monitor_areas=(_("Migration"),),
        question_themes=(
            _("share and trend of residents born abroad"),
            _("range of countries of origin"),
            _("international students"),
            _("data held on newcomers"),
            _("how residents feel about newcomers"),
        ),
    ),
    Dimension(
        key="welcome-entry",
        name=_("Welcome & entry"),
        description=_("How easy the city makes the first months for people arriving from abroad."),
        monitor_areas=(_("Barriers of entry"),),
        question_themes=(
            _("a single welcome point"),
            _("information in several languages"),
            _("support with permits and registration"),
            _("recognition of foreign qualifications"),
            _("lobbying national government on entry rules"),
        ),
    ),
    Dimension(
        key="leadership-governance",
        name=_("Leadership & governance"),
        description=_("Whether openness has a strategy, an owner, money and partners inside and outside city hall."),
        monitor_areas=(_("Leadership & Governance theme"), _("Diversity actions")),
        question_themes=(
            _("an adopted strategy"),
            _("a named unit, lead and budget"),
            _("coordination across departments"),
            _("partnerships with business, universities and NGOs"),
            _("a consultative body for newcomers"),
            _("published monitoring"),
        ),
    ),
    Dimension(
        key="integration-inclusion",
        name=_("Integration & inclusion"),
        description=_("The everyday services that let newcomers learn, work, live and raise families in the city."),
        monitor_areas=(_("Managing Diversity"),),
        question_themes=(
            _("language courses"),
            _("routes into work"),
            _("support for migrant entrepreneurs"),
            _("housing and mixed neighbourhoods"),
            _("schools and early years"),
            _("access to health care"),
        ),
    ),
    Dimension(
        key="intercultural-climate",
        name=_("Intercultural climate & participation"),
        description=_("How people of different backgrounds meet, take part in civic life and are protected from bias."),
        monitor_areas=(_("Freedom"), _("Diversity actions")),
        question_themes=(
            _("anti-discrimination and anti-rumour work"),
            _("intercultural public space and culture"),
            _("mediation"),
            _("civic and political participation"),
            _("dialogue between faiths"),
            _("local media"),
        ),
    ),
    Dimension(
        key="global-presence",
        name=_("Global presence & internationalisation"),
        description=_("How visible the city is abroad and how actively it builds international ties."),
        monitor_areas=(_("International presence"), _("International events")),
        question_themes=(
            _("investment and trade promotion"),
            _("international organisations and consulates"),
            _("conferences and trade fairs"),
            _("city networks and twinning"),
            _("an international city brand"),
        ),
    ),
    Dimension(
        key="talent-education",
        name=_("Talent & education"),
        description=_("How the city attracts, educates and keeps skilled people from other countries."),
        monitor_areas=(_("Education"),),
        question_themes=(
            _("international students and university links"),
            _("international schools"),
            _("a talent attraction office"),
            _("keeping graduates in the city"),
            _("research partnerships"),
        ),
    ),
    Dimension(
        key="connectivity-flows",
        name=_("Connectivity & flows"),
        description=_("How well the city is linked to the world by air, rail, data and visitors."),
        monitor_areas=(_("Infrastructure"), _("International flows")),
        question_themes=(
            _("direct flights"),
            _("rail and regional access"),
            _("a visitor strategy"),
            _("digital connectivity"),
            _("turning events into lasting links"),
        ),
    ),
    Dimension(
        key="quality-cost-of-living",
        name=_("Quality & cost of living"),
        description=_("Whether newcomers can live well and afford to stay once they have arrived."),
        monitor_areas=(_("Quality of living"), _("Standard of living")),
        question_themes=(
            _("safety"),
            _("health care"),
            _("affordable housing"),
            _("living costs and local taxes"),
            _("jobs"),
            _("environment"),
        ),
    ),
)

# The question kinds' keys, for the code that treats one kind differently (scoring, the loader, the wizard's forms).
KIND_CHOICE = "choice"
KIND_MULTI = "multi"
KIND_NUMBER = "number"
KIND_YESNO = "yesno"

QUESTION_KINDS = (
    Term(KIND_CHOICE, _("One option")),
    Term(KIND_MULTI, _("Checklist")),
    Term(KIND_NUMBER, _("Number")),
    Term(KIND_YESNO, _("Yes or no")),
)

# The bands of a dimension score that the recommendations and the profile speak of; their edges are calibration
# (assessments.scoring.band gives a score's band). The names head a column, the words stand inside a sentence.
BAND_LOW = "low"
BAND_MEDIUM = "medium"
BAND_HIGH = "high"

BANDS = (
    Term(BAND_LOW, _("Low")),
    Term(BAND_MEDIUM, _("Medium")),
    Term(BAND_HIGH, _("High")),
)
BAND_WORDS = {BAND_LOW: _("low"), BAND_MEDIUM: _("medium"), BAND_HIGH: _("high")}

QUESTION_TAGS = (
    Term("fact", _("Fact")),
    Term("input", _("Input (a policy or service)")),
    Term("impact", _("Impact (an outcome or attitude)")),
)

# The three OPENCities policy themes that the profile scores; their dimensions are calibration, in the
# questionnaire file, which lists them in this order.
POLICY_THEMES = (
    Term("leadership-governance", _("Leadership & Governance")),
    Term("internationalisation", _("Internationalisation")),
    Term("managing-diversity", _("Managing Diversity")),
)

# The fifteen themes that case studies and recommendation rules share.
RECOMMENDATION_THEMES = (
    Term("openness-strategy", _("Openness strategy & coalition")),
    Term("newcomer-unit", _("Newcomer unit & monitoring")),
    Term("welcome-centre", _("Welcome centre & multilingual information")),
    Term("entry-advocacy", _("Advocacy on entry and recognition")),
    Term("talent", _("Talent attraction & retention")),
    Term("students-graduates", _("International students & graduate retention")),
    Term("language-learning", _("Language learning incl. early years")),
    Term("employability-entrepreneurship", _("Employability & migrant entrepreneurship")),
    Term("housing-mixing", _("Housing & neighbourhood mixing")),
    Term("anti-discrimination", _("Anti-discrimination & intercultural space")),
    Term("participation", _("Civic & political participation")),
    Term("investment-brand", _("Investment promotion & city brand")),
    Term("international-events", _("International events")),
    Term("connectivity-visitors", _("Connectivity & visitor strategy")),
    Term("quality-cost-of-living", _("Newcomer quality and cost of living")),
)


def keys(terms: tuple[Term, ...]) -> tuple[str, ...]:
    return tuple(term.key for term in terms)


def choices(terms: tuple[Term, ...]) -> list[tuple[str, str]]:
    """The terms as form or model choices: (key, lazy name) in the vocabulary's order."""
    return [(term.key, term.name) for term in terms]


DIMENSION_KEYS = keys(DIMENSIONS)
CITY_TYPE_KEYS = keys(CITY_TYPES)
QUESTION_KIND_KEYS = keys(QUESTION_KINDS)
QUESTION_TAG_KEYS = keys(QUESTION_TAGS)
BAND_KEYS = keys(BANDS)
POLICY_THEME_KEYS = keys(POLICY_THEMES)
RECOMMENDATION_THEME_KEYS = keys(RECOMMENDATION_THEMES)


def city_type_name(key: str) -> CityTypeName:
    """A city type's name and description by its key; an unknown key names itself, an empty one names nothing."""
    for city_type in CITY_TYPES:
        if city_type.key == key:
            return CityTypeName(key, str(city_type.name), str(city_type.description))
    return CityTypeName(key, key, "")
