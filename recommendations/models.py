"""Recommendation rules, the partners who receive reports, the reports and each partner's delivery."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assessments.models import Assessment, City
from casestudies.models import CaseStudy, CityTypeTag, DimensionTag, RecommendationTheme
from opencities.languages import language_choices
from opencities.vocabulary import BAND_KEYS, BAND_LOW

# The twelve elements of the strategic framework review (their keys in the questionnaire file).
FRAMEWORK_ELEMENTS = (
    "strategy",
    "political-lead",
    "budget",
    "coordination",
    "partnerships",
    "newcomer-voice",
    "welcome-services",
    "monitoring",
    "advocacy",
    "promotion-brand",
    "anti-discrimination",
    "evaluation",
)


def comma_separated(text: str | None) -> list[str]:
    """The words of a rule's comma-separated field (bands, framework elements) or import cell, in order."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


class RecommendationRule(models.Model):
    """When a city gets a recommendation: a dimension in these bands, or one of these framework gaps."""

    class Priority(models.IntegerChoices):
        HIGH = 1, pgettext_lazy("priority", "High")
        MEDIUM = 2, pgettext_lazy("priority", "Medium")
        LOW = 3, pgettext_lazy("priority", "Low")

    key = models.SlugField(_("key"), max_length=80, unique=True, help_text=_("Stable; imports update by key."))
    title = models.CharField(_("title"), max_length=200)
    theme = models.ForeignKey(
        RecommendationTheme, on_delete=models.PROTECT, related_name="rules", verbose_name=_("recommendation theme")
    )
    dimensions = models.ManyToManyField(
        DimensionTag, related_name="rules", verbose_name=_("triggering dimensions"), blank=True
    )
    bands = models.CharField(
        _("triggering bands"),
        max_length=30,
        default=BAND_LOW,
        help_text=_("Comma-separated: low, medium, high. A triggering dimension scored in one of them fires the rule."),
    )
    framework_elements = models.CharField(
        _("framework gaps it closes"),
        max_length=300,
        blank=True,
        help_text=_("Comma-separated element keys; an element marked absent or partial fires the rule."),
    )
    city_types = models.ManyToManyField(
        CityTypeTag, related_name="rules", verbose_name=_("city types"), blank=True, help_text=_("Empty: all types.")
    )
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.MEDIUM)
    text = models.TextField(_("text"), help_text=_("Markdown: what to do and why."))
    actions = models.TextField(_("actions"), blank=True, help_text=_("Markdown list of concrete first steps."))
    case_studies = models.ManyToManyField(
        CaseStudy, related_name="rules", verbose_name=_("linked case studies"), blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("recommendation rule")
        verbose_name_plural = _("recommendation rules")
        ordering = ["priority", "theme__position", "key"]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        unknown_bands = [band for band in comma_separated(self.bands) if band not in BAND_KEYS]
        if unknown_bands or not comma_separated(self.bands):
            errors["bands"] = _("Use low, medium or high, comma-separated (got “%(value)s”).") % {"value": self.bands}
        unknown_elements = [key for key in comma_separated(self.framework_elements) if key not in FRAMEWORK_ELEMENTS]
        if unknown_elements:
            errors["framework_elements"] = _("Unknown framework elements: %(keys)s. Known: %(known)s.") % {
                "keys": ", ".join(unknown_elements),
                "known": ", ".join(FRAMEWORK_ELEMENTS),
            }
        if errors:
            raise ValidationError(errors)


class Partner(models.Model):
    """An organisation that receives the reports of the cities it follows, with a recorded consent."""

    organisation = models.CharField(_("organisation"), max_length=200)
    contact_name = models.CharField(_("contact"), max_length=200, blank=True)
    email = models.EmailField(_("email"))
    consent_date = models.DateField(
        _("consent given on"), null=True, blank=True, help_text=_("No report is sent without a consent date.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=language_choices,
        blank=True,
        help_text=_(
            "The language of its emails, and of the report attached when the city's lead generated one in it. "
            "Empty: the language of the city whose report it is."
        ),
    )
    cities = models.ManyToManyField(
        City, through="Following", related_name="partners", verbose_name=_("cities followed"), blank=True
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["organisation"]

    def __str__(self):
        return f"{self.organisation} <{self.email}>"

    def reading_language(self, city: City) -> str:
        """The language this partner reads a city's email and report in: its own, else the city's."""
        return self.language or city.language


class Following(models.Model):
    """A partner follows a city; unsubscribing from its emails ends this one following."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="followings")
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="followings")
    is_active = models.BooleanField(_("active"), default=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("city followed")
        verbose_name_plural = _("cities followed")
        constraints = [models.UniqueConstraint(fields=["partner", "city"], name="following_once_per_city")]

    def __str__(self):
        return f"{self.partner.organisation} → {self.city}"


class Report(models.Model):
    """The tailored PDF report of a submitted assessment: one per assessment, regenerated in place."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        GENERATING = "generating", _("Generating")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="report")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    # What the next generation renders, the city's language first (services.report_request keeps it so); what the
    # last one rendered is `language` with `file`, and the ReportFile rows.
    languages = models.JSONField(_("languages chosen"), default=list, blank=True)
    language = models.CharField(
        _("language of the PDF"), max_length=10, choices=language_choices, default=settings.LANGUAGE_CODE
    )
    file = models.FileField(_("PDF"), upload_to="reports/%Y/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    size = models.PositiveIntegerField(_("bytes"), null=True, blank=True)
    error = models.TextField(_("reason of the failure"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sending approved by"),
    )
    approved_at = models.DateTimeField(_("sending approved"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["status", "queued_at"], name="report_status_queued")]

    def __str__(self):
        return _("Report of %(assessment)s") % {"assessment": self.assessment}


class ReportFile(models.Model):
    """The report's PDF in another language the lead chose; the one in the city's language is `Report.file`.

    Rows are replaced with the report's own file, in the transaction that marks it ready, so a ready report's rows
    are always the PDFs of its last generation.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="files")
    language = models.CharField(_("language"), max_length=10, choices=language_choices)
    file = models.FileField(_("PDF"), upload_to="reports/%Y/")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    pages = models.PositiveIntegerField(_("pages"))
    size = models.PositiveIntegerField(_("bytes"))

    class Meta:
        verbose_name = _("report in another language")
        verbose_name_plural = _("reports in other languages")
        constraints = [models.UniqueConstraint(fields=["report", "language"], name="report_file_once_per_language")]

    def __str__(self):
        return f"{self.report} ({self.language})"


class ReportDelivery(models.Model):
    """One partner's email of one submitted assessment's report: the idempotency key of sending."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="deliveries")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="deliveries")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="deliveries")
    email = models.EmailField(_("sent to"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    message_id = models.CharField(_("message id"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "partner"], name="delivery_once_per_assessment_and_partner")
        ]
        indexes = [models.Index(fields=["status", "queued_at"], name="delivery_status_queued")]

    def __str__(self):
        return f"{self.partner.organisation}: {self.get_status_display()}"
