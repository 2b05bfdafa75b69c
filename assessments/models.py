import hashlib
import json
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opencities import caching, vocabulary
from opencities.languages import language_choices
from opencities.mail import header_text

from .comparison import scores_with_index
from .questionnaire import calibration_of_source


class Region(models.TextChoices):
    """The one list of world regions used for cities, peer groups and case studies."""

    EUROPE = "europe", _("Europe")
    NORTH_AMERICA = "north-america", _("North America")
    LATIN_AMERICA = "latin-america", _("Latin America")
    ASIA = "asia", _("Asia")
    MIDDLE_EAST = "middle-east", _("Middle East")
    AFRICA = "africa", _("Africa")
    OCEANIA = "oceania", _("Oceania")


class GawcTier(models.TextChoices):
    ALPHA_PLUS_PLUS = "alpha++", "Alpha++"
    ALPHA_PLUS = "alpha+", "Alpha+"
    ALPHA = "alpha", "Alpha"
    ALPHA_MINUS = "alpha-", "Alpha−"
    BETA = "beta", "Beta"
    GAMMA = "gamma", "Gamma"
    NONE = "none", _("Not ranked")


class Niche(models.TextChoices):
    FINANCE = "finance", _("Finance")
    CULTURE = "culture-festivals", _("Culture and festivals")
    UNIVERSITIES = "universities-research", _("Universities and research")
    INTERNATIONAL_ORGANISATIONS = "international-organisations", _("International organisations")
    TOURISM = "tourism", _("Tourism")
    NONE = "none", _("None")


class City(models.Model):
    name = models.CharField(
        _("name"),
        max_length=120,
        help_text=_("As the city writes it, accents included; on one line (line breaks become spaces)."),
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True, help_text=_("ASCII, used in addresses."))
    country = models.CharField(_("country"), max_length=80)
    region = models.CharField(_("world region"), max_length=20, choices=Region.choices)
    metro_population = models.PositiveBigIntegerField(_("metropolitan population"), null=True, blank=True)
    is_capital = models.BooleanField(_("capital city"), default=False)
    is_largest_city = models.BooleanField(_("largest city of its country"), default=False)
    gawc_tier = models.CharField(_("GaWC tier"), max_length=10, choices=GawcTier.choices, blank=True)
    niche = models.CharField(_("international niche"), max_length=30, choices=Niche.choices, blank=True)
    is_reference = models.BooleanField(
        _("reference city"),
        default=False,
        help_text=_("Imported from the indicative reference data rather than registered by the city."),
    )
    # Indicative reference figures: each keeps its year (None: the source gives none) and its source.
    country_code = models.CharField(_("country code (ISO 3166-1 alpha-2)"), max_length=2, blank=True)
    metro_population_year = models.PositiveSmallIntegerField(_("population: year"), null=True, blank=True)
    metro_population_source = models.CharField(_("population: source"), max_length=300, blank=True)
    foreign_born_share = models.DecimalField(
        _("foreign-born or foreign share (%)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    foreign_born_definition = models.CharField(
        _("what the share counts"),
        max_length=20,
        blank=True,
        choices=[("foreign-born", _("people born abroad")), ("foreign-citizens", _("foreign citizens"))],
    )
    foreign_born_year = models.PositiveSmallIntegerField(_("share: year"), null=True, blank=True)
    foreign_born_source = models.CharField(_("share: source"), max_length=300, blank=True)
    gawc_year = models.PositiveSmallIntegerField(_("GaWC tier: year"), null=True, blank=True)
    gawc_source = models.CharField(_("GaWC tier: source"), max_length=300, blank=True)
    type_example = models.CharField(_("city type the OPENCities text gives as an example"), max_length=30, blank=True)
    reference_notes = models.TextField(_("notes on the reference figures"), blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=language_choices,
        default=settings.LANGUAGE_CODE,
        help_text=_(
            "The language of the city's report (always generated in it) and of the emails of partners who chose "
            "none; the city's lead chooses it."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("city_detail", kwargs={"slug": self.slug})

    def clean(self):
        # The name goes into email subjects, where a line break cannot go.
        self.name = header_text(self.name)


class Role(models.TextChoices):
    """City roles, from least to most rights; each includes the rights of those before it."""

    VIEWER = "viewer", _("Viewer")
    CONTRIBUTOR = "contributor", _("Contributor")
    LEAD = "lead", _("Lead")

    @classmethod
    def rank(cls, role):
        return [cls.VIEWER, cls.CONTRIBUTOR, cls.LEAD].index(role)


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("city"))
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.CONTRIBUTOR)
    created_at = models.DateTimeField(_("member since"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["city__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "city"], name="membership_once_per_city"),
            # "A city always keeps a lead" is kept by the services; the database keeps it to one.
            models.UniqueConstraint(
                fields=["city"],
                condition=Q(role="lead"),
                name="membership_one_lead_per_city",
                violation_error_message=_(
                    "This city already has a lead; its lead hands the role over on the team page."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.user.email} · {self.city} ({self.get_role_display()})"

    def has_role(self, role):
        return Role.rank(self.role) >= Role.rank(role)


ONE_LINE = _("On one line: line breaks become spaces.")


class AccessRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    full_name = models.CharField(_("requester’s name"), max_length=120, help_text=ONE_LINE)
    email = models.EmailField(_("requester’s email"))
    job_title = models.CharField(_("job title and department"), max_length=160)
    city_name = models.CharField(_("city"), max_length=120, help_text=ONE_LINE)
    country = models.CharField(_("country"), max_length=80)
    region = models.CharField(_("world region"), max_length=20, choices=Region.choices)
    message = models.TextField(
        _("why they want access"), max_length=2000, blank=True, help_text=_("Optional; helps the editors decide.")
    )
    city = models.ForeignKey(
        City,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_requests",
        verbose_name=_("existing city"),
        help_text=_("Pick the city if it already exists; otherwise approving creates it from the fields above."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    # Who asks for which city, whatever the case and spacing: a requester has one pending request per city.
    requester_key = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-created_at"]
        constraints = [
            # A request sent again is merged into the pending one (services.team.access_request_submit).
            models.UniqueConstraint(
                fields=["requester_key"], condition=Q(status="pending"), name="access_request_one_pending_per_city"
            ),
        ]

    def __str__(self):
        return f"{self.full_name} <{self.email}> · {self.city_name}"

    def save(self, *args, **kwargs):
        self.requester_key = self.requester_key_of(email=self.email, city_name=self.city_name, country=self.country)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "requester_key"}
        super().save(*args, **kwargs)

    @staticmethod
    def requester_key_of(*, email: str, city_name: str, country: str) -> str:
        words = [" ".join(value.split()).casefold() for value in (email, city_name, country)]
        return hashlib.sha256(json.dumps(words).encode()).hexdigest()

    def clean(self):
        # Both names go into email subjects (the city's, once approved), where a line break cannot go.
        self.full_name = header_text(self.full_name)
        self.city_name = header_text(self.city_name)


class Invitation(models.Model):
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("city"))
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.CONTRIBUTOR)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.city} ({self.get_role_display()})"

    @property
    def is_open(self):
        return self.accepted_at is None and self.revoked_at is None


# --- The questionnaire: versions loaded from the reviewed files in assessments/questionnaires/ ---


QuestionKind = models.TextChoices("QuestionKind", [(k.key.upper(), (k.key, k.name)) for k in vocabulary.QUESTION_KINDS])
QuestionTag = models.TextChoices("QuestionTag", [(t.key.upper(), (t.key, t.name)) for t in vocabulary.QUESTION_TAGS])


class QuestionnaireVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    version = models.CharField(_("version"), max_length=10, unique=True)
    major = models.PositiveSmallIntegerField(_("major version"))
    minor = models.PositiveSmallIntegerField(_("minor version"))
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    source = models.TextField(_("source file"), help_text=_("The reviewed file this version was loaded from."))
    source_sha256 = models.CharField(_("SHA-256 of the source"), max_length=64)
    framework = models.JSONField(_("strategic framework elements"))
    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        ordering = ["-major", "-minor"]

    def __str__(self):
        return f"{self.title} {self.version}"

    @property
    def calibration(self):
        """The calibration as the method's code uses it, read from the reviewed source file (its one source)."""
        return caching.cached(caching.calibration_key(self.source_sha256), lambda: calibration_of_source(self.source))


class Dimension(models.Model):
    questionnaire = models.ForeignKey(QuestionnaireVersion, on_delete=models.CASCADE, related_name="dimensions")
    key = models.SlugField(_("key"), max_length=40, help_text=_("Stable across versions."))
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"))
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=1)
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["questionnaire", "position"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "key"], name="dimension_key_per_version")]

    def __str__(self):
        return self.name


class Question(models.Model):
    questionnaire = models.ForeignKey(QuestionnaireVersion, on_delete=models.CASCADE, related_name="questions")
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(_("key"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    tag = models.CharField(_("tag"), max_length=10, choices=QuestionTag.choices)
    text = models.TextField(_("question"))
    help = models.TextField(_("what counts as evidence"))
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=1)
    allows_not_applicable = models.BooleanField(_("offers Not applicable"), default=False)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    min_value = models.DecimalField(_("lowest valid number"), max_digits=14, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("highest valid number"), max_digits=14, decimal_places=2, null=True, blank=True)
    bands = models.JSONField(_("scoring bands"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["dimension__position", "position"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "key"], name="question_key_per_version")]

    def __str__(self):
        return f"{self.key}: {self.text[:60]}"


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    key = models.SlugField(_("key"), max_length=60)
    label = models.CharField(_("label"), max_length=200)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2)
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["question", "position"]
        constraints = [models.UniqueConstraint(fields=["question", "key"], name="option_key_per_question")]

    def __str__(self):
        return f"{self.label} ({self.points})"


# --- Assessments ---


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("city"))
    questionnaire = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("questionnaire")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("started by")
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    is_demo = models.BooleanField(_("demonstration data"), default=False)
    is_public = models.BooleanField(_("public profile"), default=False)

    # The city-profile step: a snapshot for this year (the City record only pre-fills it).
    metro_population = models.PositiveBigIntegerField(_("metropolitan population"), null=True, blank=True)
    is_capital = models.BooleanField(_("capital city"), null=True, blank=True)
    is_largest_city = models.BooleanField(_("largest city of its country"), null=True, blank=True)
    gawc_tier = models.CharField(_("GaWC tier"), max_length=10, blank=True)
    niche = models.CharField(_("international niche"), max_length=30, blank=True)
    past_role_declined = models.BooleanField(
        _("had a global role in the past that has since declined"), null=True, blank=True
    )
    declined_reason = models.TextField(_("why the global role declined"), max_length=1000, blank=True)
    profile_revision = models.PositiveIntegerField(default=0)
    profile_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    profile_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["city__name", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "year"], condition=Q(status="draft"), name="assessment_one_open_draft_per_city_year"
            ),
        ]

    def __str__(self):
        return f"{self.city} {self.year} ({self.get_status_display()})"

    @property
    def is_open(self):
        return self.status == self.Status.DRAFT


class Answer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    option_keys = models.JSONField(_("chosen options"), default=list, blank=True)
    number = models.DecimalField(_("number"), max_digits=14, decimal_places=2, null=True, blank=True)
    yes = models.BooleanField(_("yes"), null=True, blank=True)
    dont_know = models.BooleanField(_("don't know"), default=False)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    evidence_note = models.TextField(_("evidence note"), max_length=4000, blank=True)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("changed by")
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    # Optimistic locking: a save based on an older revision is a conflict, never an overwrite.
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["assessment", "question"], name="answer_once_per_question")]

    def __str__(self):
        return f"{self.assessment} · {self.question.key}"


class FrameworkStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    PARTIAL = "partial", _("Partial")
    ABSENT = "absent", _("Absent")


class FrameworkAnswer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="framework_answers")
    element = models.SlugField(_("element"), max_length=40)
    status = models.CharField(_("status"), max_length=10, choices=FrameworkStatus.choices)
    link = models.URLField(_("link to the document"), max_length=500, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("framework review item")
        verbose_name_plural = _("framework review items")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "element"], name="framework_answer_once_per_element")
        ]

    def __str__(self):
        return f"{self.assessment} · {self.element}: {self.status}"


class WizardPosition(models.Model):
    """Where each member last was in an assessment, so that they resume there days later."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="positions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    step = models.CharField(max_length=40)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "user"], name="wizard_position_per_user")]

    def __str__(self):
        return f"{self.user} at {self.step}"


class AssessmentResult(models.Model):
    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="result")
    openness_index = models.DecimalField(_("openness index"), max_digits=4, decimal_places=1, null=True)
    completeness = models.DecimalField(_("completeness"), max_digits=4, decimal_places=1)
    framework_score = models.DecimalField(_("framework score"), max_digits=4, decimal_places=1, null=True)
    policy_themes = models.JSONField(_("policy-theme scores"), default=dict)
    # The dimension scores again, by key: peer groups read one row per city instead of nine.
    scores_by_dimension = models.JSONField(_("dimension scores by key"), default=dict)
    city_type = models.CharField(_("computed city type"), max_length=30)
    rule_fired = models.CharField(_("rule that fired"), max_length=40)
    explanation = models.TextField(_("why"))
    runner_up = models.CharField(_("runner-up type"), max_length=30)
    type_distances = models.JSONField(_("distances to the type prototypes"), default=dict)
    override_type = models.CharField(_("type set by an editor"), max_length=30, blank=True)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    # The type every page, peer group and recommendation uses: an editor's override, else the computed type.
    # A generated column, so the database filters on the same rule that Python reads.
    effective_type = models.GeneratedField(
        expression=Coalesce(NullIf(F("override_type"), Value("")), F("city_type")),
        output_field=models.CharField(max_length=30),
        db_persist=True,
        verbose_name=_("city type"),
    )
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    computed_at = models.DateTimeField(_("computed"), auto_now=True)
    is_superseded = models.BooleanField(
        _("superseded"),
        default=False,
        help_text=_("The assessment was reopened; this result stands until it is submitted again."),
    )

    class Meta:
        verbose_name = _("assessment result")
        verbose_name_plural = _("assessment results")

    def __str__(self):
        return f"{self.assessment}: {self.openness_index}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # The database computes effective_type: forget the value held in memory, so the next read fetches it.
        self.__dict__.pop("effective_type", None)

    def scores(self):
        """The nine dimension scores by key and the index, as a comparison takes them (Decimals)."""
        return scores_with_index(self.scores_by_dimension.items(), self.openness_index)


class DimensionScore(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="dimension_scores")
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=1, null=True)
    applicable = models.PositiveSmallIntegerField()
    answered = models.PositiveSmallIntegerField()
    dont_know = models.PositiveSmallIntegerField()
    not_applicable = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["dimension__position"]
        constraints = [models.UniqueConstraint(fields=["assessment", "dimension"], name="dimension_score_once")]

    def __str__(self):
        return f"{self.assessment} · {self.dimension.key}: {self.score}"


class Reopening(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="reopenings")
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.TextField(_("reason"))
    reopened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reopened_at"]

    def __str__(self):
        return f"{self.assessment} reopened {self.reopened_at:%Y-%m-%d}"


class PeerDataVersion(models.Model):
    """One row whose token changes whenever what peer groups read changes (see opencities/caching.py).

    Kept in the database, not a cache, so every web process sees the change in the same transaction as the data.
    """

    token = models.UUIDField(default=uuid.uuid4)

    class Meta:
        verbose_name = _("peer data version")

    def __str__(self):
        return str(self.token)
