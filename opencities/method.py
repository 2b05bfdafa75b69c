"""The method page's prose: the user's journey (also on the home page and in the research brief) and how each
policy theme is calculated. The dimensions, city types and themes themselves are in `opencities.vocabulary`.
"""

from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from assessments.calibration import Calibration
from assessments.questionnaire import calibration_of_source

from .vocabulary import POLICY_THEMES

# The questionnaire the platform ships; documents built without a database describe its calibration.
SHIPPED_QUESTIONNAIRE = Path(__file__).resolve().parents[1] / "assessments" / "questionnaires" / "opencities-1.0.toml"


@dataclass(frozen=True)
class JourneyStep:
    title: str
    description: str


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

# By policy theme key; the calibration in the questionnaire file is what the scoring uses.
POLICY_THEME_CALCULATIONS = {
    "leadership-governance": _(
        "The mean of the Leadership & governance dimension and the strategic framework score (each of the twelve "
        "elements counts 100 if present, 50 if partial and 0 if absent, and the twelve are averaged)."
    ),
    "internationalisation": _(
        "The mean of Global presence & internationalisation, Talent & education, and Connectivity & flows."
    ),
    "managing-diversity": _(
        "The mean of International population & diversity, Welcome & entry, Integration & inclusion, Intercultural "
        "climate & participation, and Quality & cost of living."
    ),
}


@dataclass(frozen=True)
class PolicyThemeRow:
    name: str
    calculated_as: str


def policy_theme_rows() -> tuple[PolicyThemeRow, ...]:
    """The method page's table of policy themes, in the vocabulary's order."""
    return tuple(PolicyThemeRow(theme.name, POLICY_THEME_CALCULATIONS[theme.key]) for theme in POLICY_THEMES)


def shipped_calibration() -> Calibration:
    """The shipped questionnaire's calibration, for a document that describes the method with no database at hand."""
    return calibration_of_source(SHIPPED_QUESTIONNAIRE.read_text(encoding="utf-8"))
