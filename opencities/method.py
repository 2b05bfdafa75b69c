"""The user's journey through the platform, as the home page, the method page and the research brief tell it.

The dimensions, city types and themes themselves are in `opencities.vocabulary`.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


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
