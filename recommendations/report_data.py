"""What a tailored report shows, as plain data: built from the database by `selectors.report_data`, drawn by `pdf`.

Plain frozen dataclasses (no ORM, no request), so that the PDF renderer is a pure function of them and its tests
need no database.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class CaseStudyRef:
    title: str
    city: str
    url: str  # absolute, so that it works in a PDF and an email


@dataclass(frozen=True)
class ScoreLine:
    """One dimension (or the index) against the peer group, with last year's score for the trend."""

    key: str
    name: str
    score: Decimal | None
    band: str  # "low", "medium", "high" or "" when not scored
    median: Decimal | None = None
    p25: Decimal | None = None
    p75: Decimal | None = None
    rank: Decimal | None = None  # percentile rank 0–100
    previous: Decimal | None = None  # the same dimension's score in the last submitted assessment before this one


@dataclass(frozen=True)
class Highlight:
    name: str
    words: str  # "12.0 above the peer median of 55.0"


@dataclass(frozen=True)
class RecommendationLine:
    title: str
    theme: str
    priority: str  # "High", "Medium", "Low"
    reasons: tuple[str, ...]  # "Welcome & entry scored 32, below your peer median of 55"
    text: str  # Markdown from editors
    actions: str  # Markdown from editors
    case_studies: tuple[CaseStudyRef, ...] = ()
    in_english_only: bool = False  # some of its text is the English, not yet translated into the report's language


@dataclass(frozen=True)
class FrameworkLine:
    name: str
    status: str  # "Present", "Partial", "Absent" or "Not answered"
    link: str = ""
    closed_by: tuple[str, ...] = ()  # titles of the recommendations that close this gap


@dataclass(frozen=True)
class EvidenceLine:
    dimension: str
    question: str
    answer: str
    note: str = ""  # free text from city staff, up to thousands of characters
    url: str = ""


@dataclass(frozen=True)
class ReportData:
    city: str
    country: str
    year: int
    questionnaire_version: str
    generated_on: date
    city_type: str  # the effective type's name
    city_type_description: str
    city_type_reason: str  # the rule that fired, in words (or the editor's override reason)
    index: Decimal | None
    index_band: str
    peer_group: str  # the group's definition, or a sentence saying there is none
    peer_n: int
    index_rank: Decimal | None  # the index's percentile rank in the group
    strengths: tuple[Highlight, ...]
    weaknesses: tuple[Highlight, ...]
    scores: tuple[ScoreLine, ...]  # nine dimensions, in the questionnaire's order
    previous_year: int | None
    recommendations: tuple[RecommendationLine, ...]
    framework: tuple[FrameworkLine, ...]
    evidence: tuple[EvidenceLine, ...]
    is_demo: bool = False
    previous_is_demo: bool = False  # the year the change is measured against is demonstration data
    peer_medians: dict[str, Decimal] = field(default_factory=dict)  # by dimension key, for the radar's peer line
    site_url: str = ""
