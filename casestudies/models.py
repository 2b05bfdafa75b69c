"""The case-study library, its tags and the publications offered for download."""

import re
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from assessments.models import Region

from . import content_languages
from .validators import validate_pdf


def publication_file_name(publication, filename: str) -> str:
    """The stored name: the uploaded name as a slug, always ending in .pdf (the content was checked to be one)."""
    return f"publications/{slugify(PurePath(filename).stem)[:80] or 'publication'}.pdf"


class Tag(models.Model):
    """A tag with a stable key that survives questionnaire versions and renamed labels; editors never add keys.

    The rows are `opencities.vocabulary`'s terms, filled by a data migration (0002); their names in every language
    are the vocabulary's (services.tag_names_sync, after every migrate).
    """

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "key"]

    def __str__(self):
        return self.name


class DimensionTag(Tag):
    """One of the nine dimensions of the questionnaire, by its stable key."""

    class Meta(Tag.Meta):
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")


class CityTypeTag(Tag):
    """One of the five city types an initiative suits."""

    class Meta(Tag.Meta):
        verbose_name = _("city type")
        verbose_name_plural = _("city types")


class RecommendationTheme(Tag):
    """One of the fifteen recommendation themes shared by case studies and recommendation rules."""

    description = models.TextField(_("description"), blank=True)

    class Meta(Tag.Meta):
        verbose_name = _("recommendation theme")
        verbose_name_plural = _("recommendation themes")


# "Publisher, title (2014). https://…": the link ends the line.
CITATION = re.compile(r"^(?P<citation>.*?)\s*(?P<url>https?://\S+)$")


class CaseStudyQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=CaseStudy.Status.PUBLISHED)


# The template's body sections, in the order a reader meets them; each is Markdown.
BODY_SECTIONS = (
    ("purpose", _("Purpose")),
    ("context", _("Context")),
    ("what_was_done", _("What was done")),
    ("results", _("Results and evidence")),
    ("cost", _("Cost")),
    ("transferability", _("Transferability")),
    ("contact", _("Contact")),
)


class CaseStudy(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=120, unique=True, help_text=_("Lower-case ASCII, as in the URL."))
    city = models.CharField(_("city"), max_length=120, help_text=_("With its accents, e.g. Zürich."))
    country = models.CharField(_("country"), max_length=120)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    year_start = models.PositiveSmallIntegerField(_("first year"), null=True, blank=True)
    year_end = models.PositiveSmallIntegerField(
        _("last year"), null=True, blank=True, help_text=_("Empty if it still runs.")
    )
    dimensions = models.ManyToManyField(DimensionTag, verbose_name=_("dimensions"), related_name="case_studies")
    themes = models.ManyToManyField(
        RecommendationTheme, verbose_name=_("recommendation themes"), related_name="case_studies"
    )
    city_types = models.ManyToManyField(
        CityTypeTag,
        verbose_name=_("city types it suits"),
        related_name="case_studies",
        help_text=_("Chosen by an editor; the types of city the initiative would work for."),
    )
    summary = models.TextField(_("summary"), max_length=800, help_text=_("Two or three plain sentences."))
    purpose = models.TextField(_("purpose"), blank=True, help_text=_("Markdown."))
    context = models.TextField(_("context"), blank=True, help_text=_("Markdown."))
    what_was_done = models.TextField(_("what was done"), blank=True, help_text=_("Markdown."))
    results = models.TextField(_("results and evidence"), blank=True, help_text=_("Markdown."))
    cost = models.TextField(_("cost"), blank=True, help_text=_("Markdown."))
    transferability = models.TextField(_("transferability"), blank=True, help_text=_("Markdown."))
    contact = models.TextField(_("contact"), blank=True, help_text=_("Markdown."))
    sources = models.TextField(
        _("sources"),
        help_text=_("One citation per line, each ending with its link: “Publisher, title (2014). https://…”."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    # The words the library's search looks in, one per language (translation.py), kept by save() and by the import
    # (see services); on PostgreSQL each language's is indexed with its text-search configuration (migration 0006).
    search_text = models.TextField(editable=False, default="")

    objects = CaseStudyQuerySet.as_manager()

    class Meta:
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")
        ordering = ["title"]
        indexes = [models.Index(fields=["status", "title"], name="casestudy_status_title")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.search_texts_refresh()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *content_languages.per_language("search_text")}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("casestudies:detail", kwargs={"slug": self.slug})

    def clean(self):
        errors = {}
        if self.year_start and self.year_end and self.year_end < self.year_start:
            errors["year_end"] = _("The last year comes before the first year.")
        lines = [line.strip() for line in (self.sources or "").splitlines() if line.strip()]
        if not lines:
            errors["sources"] = _("Give at least one source, with its link.")
        unlinked = [number for number, line in enumerate(lines, start=1) if not CITATION.match(line)]
        if unlinked:
            errors["sources"] = _(
                "Each source line must end with its link (http:// or https://); lines %(lines)s do not."
            ) % {"lines": ", ".join(map(str, unlinked[:10]))}
        if errors:
            raise ValidationError(errors)

    @property
    def years(self) -> str:
        if self.year_start is None:
            return str(_("year not given"))
        if self.year_end is None:
            return str(_("since %(year)d") % {"year": self.year_start})
        if self.year_end == self.year_start:
            return str(self.year_start)
        return f"{self.year_start}–{self.year_end}"

    def citations(self) -> list[tuple[str, str]]:
        """The sources as (citation, link) pairs."""
        pairs = []
        for line in self.sources.splitlines():
            match = CITATION.match(line.strip())
            if match:
                pairs.append((match["citation"].rstrip(" .;–-") or match["url"], match["url"]))
        return pairs

    def document(self) -> str:
        """The text the search looks in, in the active language: every field a reader would search by."""
        parts = [self.title, self.city, self.country, self.summary]
        parts += [getattr(self, name) for name, _label in BODY_SECTIONS]
        return "\n".join(part for part in parts if part)

    def search_texts_refresh(self) -> None:
        """Each language's search text: what a reader of that language sees (its translations, else the English),
        so that a French search finds an entry by the words of its French page."""
        for language in content_languages.languages():
            with translation.override(language):
                setattr(self, content_languages.localized("search_text", language), self.document())


class Publication(models.Model):
    """A PDF that editors upload for the downloads page: research or policy."""

    class Kind(models.TextChoices):
        RESEARCH = "research", _("Research")
        POLICY = "policy", _("Policy")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=120, unique=True)
    summary = models.TextField(_("summary"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.RESEARCH)
    file = models.FileField(
        _("PDF file"),
        upload_to=publication_file_name,
        validators=[validate_pdf],
        help_text=_("A PDF of at most 20 MB."),
    )
    is_public = models.BooleanField(_("public"), default=False, help_text=_("Shown on the downloads page."))
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["-published_on", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("casestudies:publication", kwargs={"slug": self.slug})
