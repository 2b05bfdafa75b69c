"""The profile's charts as accessible inline SVG: one drawing per chart, with its title and its numbers in words."""

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .numbers import figure
from .radar import index_history_drawing, radar_drawing, responsive_svg
from .selectors import Profile


def profile_radar_svg(profile: Profile, city, peer_medians: dict | None = None) -> str:
    """The nine dimension scores, with the peer median's line when `peer_medians` is given."""
    labels = [row.name for row in profile.dimensions]
    scores = [row.score for row in profile.dimensions]
    medians = [peer_medians.get(row.key) for row in profile.dimensions] if peer_medians else None
    legend = {"city_label": city.name, "peer_label": _("Peer median")}
    # A screen shows the chart smaller than a printed page does, so the labels are larger than in the PDF; a phone
    # gets a drawing about as wide as its column, whose labels keep their size.
    wide = radar_drawing(labels, scores, medians, size=(560, 420), font_size=11, **legend)
    phone = radar_drawing(
        labels,
        scores,
        medians,
        size=(340, 470),
        font_size=11.5,
        tick_size=11.5,
        labelled_rings=(50, 100),
        numbered=True,
        **legend,
    )
    title = _("Radar chart of the nine dimension scores of %(city)s, %(year)s, each on a scale of 0 to 100") % {
        "city": city.name,
        "year": profile.assessment.year,
    }
    summary = "; ".join(
        f"{row.name}: {_score(row.score) if row.score is not None else row.band_label}" for row in profile.dimensions
    )
    # The markup is built by our renderer with every label escaped.
    return mark_safe(responsive_svg(wide, phone, title=title, description=summary, css_class="w-100 h-auto"))  # noqa: S308


def _score(score) -> str:
    """A score in words as the page's table shows it: one decimal, the language's mark (49,5 in French)."""
    return figure(score, places=1)


def _history_label(row) -> str:
    """A year's label under the history chart; a demonstration year says so."""
    return _("%(year)s (demo)") % {"year": row.year} if row.is_demo else str(row.year)


def index_history_svg(profile: Profile, city) -> str:
    points = [(_history_label(row), row.openness_index) for row in profile.history]
    wide = index_history_drawing(points, size=(560, 200), font_size=10)
    phone = index_history_drawing(points, size=(340, 200), font_size=12, tick_size=11.5)
    title = _("Line chart of the openness index of %(city)s by year, on a scale of 0 to 100") % {"city": city.name}
    summary = "; ".join(
        f"{row.year}{_(' (demonstration data)') if row.is_demo else ''}: "
        f"{_score(row.openness_index) if row.openness_index is not None else _('not scored')}"
        for row in profile.history
    )
    return mark_safe(responsive_svg(wide, phone, title=title, description=summary, css_class="w-100 h-auto"))  # noqa: S308
