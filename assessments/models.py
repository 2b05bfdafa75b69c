from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


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
    name = models.CharField(_("name"), max_length=120, help_text=_("As the city writes it, accents included."))
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
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("city_detail", kwargs={"slug": self.slug})


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
            models.UniqueConstraint(fields=["city"], condition=Q(role="lead"), name="membership_one_lead_per_city"),
        ]

    def __str__(self):
        return f"{self.user.email} · {self.city} ({self.get_role_display()})"

    def has_role(self, role):
        return Role.rank(self.role) >= Role.rank(role)


class AccessRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    full_name = models.CharField(_("your name"), max_length=120)
    email = models.EmailField(_("work email"))
    job_title = models.CharField(_("job title and department"), max_length=160)
    city_name = models.CharField(_("city"), max_length=120)
    country = models.CharField(_("country"), max_length=80)
    region = models.CharField(_("world region"), max_length=20, choices=Region.choices)
    message = models.TextField(
        _("why you want access"), max_length=2000, blank=True, help_text=_("Optional; helps the editors decide.")
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

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.full_name} <{self.email}> · {self.city_name}"


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
