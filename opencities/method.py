"""The method's vocabulary as the public pages present it (text only; the scoring lives elsewhere)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class CityType:
    key: str
    name: str
    description: str
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Dimension:
    key: str
    name: str
    description: str
    monitor_areas: tuple[str, ...]
    question_themes: tuple[str, ...]


@dataclass(frozen=True)
class JourneyStep:
    title: str
    description: str


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
        examples=("Zurich", "Edinburgh"),
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

JOURNEY = (
    JourneyStep(
        title=_("Assess your city"),
        description=_("Answer a guided self-assessment that builds your city's internationalisation profile."),
    ),
    JourneyStep(
        title=_("Compare with other cities"),
        description=_("See your scores beside peer groups of similar type, region or size."),
    ),
    JourneyStep(
        title=_("Find your strengths and weaknesses"),
        description=_("Decide where the city already does well and where it falls behind its peers."),
    ),
    JourneyStep(
        title=_("Learn from case studies"),
        description=_("Read how other cities tackled the same weaknesses, and what came of it."),
    ),
    JourneyStep(
        title=_("Get policy recommendations"),
        description=_("Download general advice and a report written for your city's results and type."),
    ),
    JourneyStep(
        title=_("Review your strategic framework"),
        description=_("Check your strategy against twelve elements; the gaps feed into your report."),
    ),
    JourneyStep(
        title=_("Read further research"),
        description=_("Go deeper with the research brief on how open cities internationalise."),
    ),
)
