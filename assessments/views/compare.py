"""Compare an assessment with peer cities: the page and its CSV show the same numbers."""

from decimal import Decimal
from html import escape  # the standard library's: no SafeString per value, for long lists

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from opencities.spreadsheets import csv_content, xlsx_content

from .. import comparison, peer_groups, selectors
from ..access import city_role_required
from ..citytype import GAWC_TIER_INDEX, GAWC_TIER_ORDER
from ..models import City, GawcTier, Role
from ..numbers import figure
from ..radar import responsive_svg
from ..scoring import round_half_up
from ..spread import SpreadRow, spread_drawing


def _assessment(city, pk):
    # A reopened assessment is compared on its last result, marked superseded, until it is submitted again.
    return get_object_or_404(
        selectors.assessments_with_result().select_related("questionnaire", "result", "city"), city=city, pk=pk
    )


def comparison_for(request, assessment):
    """Everything the page and the CSV show, from the query string (?group=…&city=…)."""
    rules = assessment.questionnaire.calibration
    problems = []
    kind = request.GET.get("group", peer_groups.TYPE)
    if kind not in peer_groups.GROUP_KINDS:
        problems.append(
            _("There is no group “%(group)s”; showing cities of the same type instead.") % {"group": kind[:40]}
        )
        kind = peer_groups.TYPE
    candidates = peer_groups.candidates(assessment)
    picked = ()
    if kind == peer_groups.PICKED:
        picked, picked_problems = peer_groups.check_picked(
            candidates, request.GET.getlist("city"), rules.peer_groups.hand_picked_max
        )
        problems += picked_problems
    group = peer_groups.group_definition(assessment, kind, picked)
    peers = peer_groups.members(group, candidates) if kind != peer_groups.PICKED or picked else []

    structure = selectors.questionnaire_structure(assessment.questionnaire)
    names = {dimension.key: dimension.name for dimension in structure.dimensions}
    names[comparison.INDEX_KEY] = _("Openness index")
    comparisons = comparison.compare(
        assessment.result.scores(), [peer.scores() for peer in peers], names, rules.peer_groups
    )
    strengths, weaknesses = comparison.strengths_and_weaknesses(comparisons, rules.bands)
    return {
        "assessment": assessment,
        "group": group,
        "kind": kind,
        "problems": problems,
        "candidates": candidates,
        "peers": peers,
        "n": len(peers),
        "comparisons": comparisons,
        "too_few": len(peers) < rules.peer_groups.min_for_aggregates,
        "min_for_aggregates": rules.peer_groups.min_for_aggregates,
        "strengths": strengths,
        "weaknesses": weaknesses,
        "has_demo": assessment.is_demo or any(peer.is_demo for peer in peers),
        "rules": rules,
    }


def _spread_svg(comparisons):
    rows = [
        SpreadRow(
            label=row.name,
            score=row.score,
            p25=row.stats.p25,
            median=row.stats.median,
            p75=row.stats.p75,
            minimum=row.stats.minimum,
            maximum=row.stats.maximum,
        )
        for row in comparisons
    ]
    return responsive_svg(
        spread_drawing(rows),
        spread_drawing(rows, phone=True),
        title=_("Your scores against the peer group"),
        description=_(
            "For each dimension and the index: the dot is your score, the band the middle half of the group, "
            "the bar its median, the line its range. The table below gives the same numbers."
        ),
        css_class="spread-chart w-100 h-auto",
    )


def _thousands(value):
    return None if value is None else figure(int(value))


def _figure_median(values, rules):
    """The group's median of a figure and its n; no median below the minimum group size (as for the scores)."""
    stats = comparison.figure_statistics((None if value is None else Decimal(value) for value in values), rules)
    return stats.median, stats.n


def _own_or_reference(own, assessment, reference, year, source):
    """The value, year and source of one of the subject's figures: its assessment's own, else the city's record."""
    if own not in (None, ""):
        return {
            "value": own,
            "year": assessment.year,
            "source": _("your %(year)s assessment") % {"year": assessment.year},
        }
    return {"value": reference, "year": year, "source": source}


def reference_facts(assessment, group, peers):
    """The city's figures beside the median of the group's cities' figures (each assessment's own, where given)."""
    city = assessment.city
    rules = assessment.questionnaire.calibration.peer_groups
    if len(peers) >= rules.min_for_aggregates:
        # The group's rows already carry their cities' figures.
        cities, basis = peers, _("the %(n)d cities of the group") % {"n": len(peers)}
    else:
        # Before many cities have assessed, the reference cities that fit the group's definition.
        cities = peer_groups.members(group, peer_groups.reference_cities(assessment))
        basis = _("reference cities that fit the group's definition")
    population_median, population_n = _figure_median([row.population_figure for row in cities], rules)
    share_median, share_n = _figure_median([row.foreign_born_share for row in cities], rules)
    tier_median, tier_n = _figure_median([GAWC_TIER_INDEX.get(row.gawc_tier) for row in cities], rules)
    tier_names = dict(GawcTier.choices)
    own_share = peer_groups.own_foreign_born_share(assessment)
    own_tier = peer_groups.own_tier(assessment.gawc_tier)
    population = _own_or_reference(
        assessment.metro_population,
        assessment,
        city.metro_population,
        city.metro_population_year,
        city.metro_population_source,
    )
    share = _own_or_reference(
        own_share, assessment, city.foreign_born_share, city.foreign_born_year, city.foreign_born_source
    )
    tier = _own_or_reference(
        own_tier and tier_names.get(own_tier),
        assessment,
        tier_names.get(city.gawc_tier),
        city.gawc_year,
        city.gawc_source,
    )
    own_definition = dict(City._meta.get_field("foreign_born_definition").choices).get("foreign-born")
    return {
        "basis": basis,
        "min_for_aggregates": rules.min_for_aggregates,
        "rows": [
            {
                "figure": _("Metropolitan population"),
                **population,
                "value": _thousands(population["value"]),
                "median": _thousands(population_median),
                "n": population_n,
            },
            {
                "figure": _("Foreign-born or foreign share (%)"),
                **share,
                "value": None if share["value"] is None else _shown(Decimal(share["value"])),
                "definition": own_definition if own_share is not None else city.get_foreign_born_definition_display(),
                "median": None if share_median is None else _shown(share_median),
                "n": share_n,
            },
            {
                "figure": _("GaWC tier"),
                **tier,
                "median": None if tier_median is None else tier_names.get(GAWC_TIER_ORDER[int(tier_median)]),
                "n": tier_n,
            },
        ],
    }


PICKS_PER_PAGE = 10


def _picks_changed(request, assessment):
    """After an Add or Remove button: the page again with the picks changed, so that its address names them."""
    add, remove = request.GET.get("add"), request.GET.get("remove")
    if add is None and remove is None:
        return None
    picks = list(dict.fromkeys(request.GET.getlist("city")))
    if remove in picks:
        picks.remove(remove)
    limit = assessment.questionnaire.calibration.peer_groups.hand_picked_max
    if add and add not in picks:
        if len(picks) < limit:
            picks.append(add)
        else:
            messages.warning(
                request,
                _("You have picked %(limit)d cities, the most a group holds: remove one first.") % {"limit": limit},
            )
    query = QueryDict(mutable=True)
    query["group"] = peer_groups.PICKED
    query.setlist("city", picks)
    for key in ("q", "pick_page"):
        if request.GET.get(key):
            query[key] = request.GET[key]
    return redirect(f"{request.path}?{query.urlencode()}#city-picker")


def _picker(request, context):
    """The cities that may be picked, searched on the server and paged, and the cities picked so far."""
    rows = peer_groups.publishable(context["candidates"])
    by_slug = {row.city_slug: row for row in rows}
    limit = context["rules"].peer_groups.hand_picked_max
    # Picks travel with every group, so that looking at another group and back keeps them.
    requested = context["group"].picked or tuple(dict.fromkeys(request.GET.getlist("city")))[:limit]
    picked = [by_slug[slug] for slug in requested if slug in by_slug]
    query = request.GET.get("q", "").strip()[:100]
    page = Paginator(peer_groups.search(rows, query), PICKS_PER_PAGE).get_page(request.GET.get("pick_page"))
    kept = request.GET.copy()
    for key in ("pick_page", "add", "remove"):
        kept.pop(key, None)
    return {
        "picked": picked,
        "picked_slugs": {row.city_slug for row in picked},
        "full": len(picked) >= limit,
        "limit": limit,
        "query": query,
        "page": page,
        "page_query": kept.urlencode(),
        "total": len(rows),
    }


# This list can name hundreds of cities; built with escape() in one join, it costs a fraction of a template loop
# or format_html per item. Every value is escaped before it joins the markup.
def _published_links(published):
    # One reverse for the pattern; slugs are ASCII slugs and years integers.
    prefix, _slug, suffix = reverse("public_profile", kwargs={"slug": "SLUG", "year": 1}).rpartition("SLUG/1")
    demo = escape(str(_(" (demo)")))
    return mark_safe(  # noqa: S308
        ", ".join(
            f'<a href="{escape(prefix)}{escape(peer.city_slug)}/{int(peer.year)}{escape(suffix)}">'
            f"{escape(peer.city_name)}</a>{demo if peer.is_demo else ''}"
            for peer in published
        )
    )


@city_role_required(Role.VIEWER)
def assessment_compare(request, pk, *, city, membership):
    assessment = _assessment(city, pk)
    changed = _picks_changed(request, assessment)
    if changed is not None:
        return changed
    context = comparison_for(request, assessment)
    context.update(
        {
            "city": city,
            "membership": membership,
            "spread_svg": "" if context["too_few"] else _spread_svg(context["comparisons"]),
            "group_kinds": peer_groups.group_kind_labels(),
            "picker": _picker(request, context),
            # Built here rather than in a template loop: a group can name hundreds of cities.
            "published_peers": [peer for peer in context["peers"] if peer.is_public],
            "published_links": _published_links([peer for peer in context["peers"] if peer.is_public]),
            "strengths_in_words": [(item, comparison.gap_in_words(item)) for item in context["strengths"]],
            "weaknesses_in_words": [(item, comparison.gap_in_words(item)) for item in context["weaknesses"]],
            "reference": reference_facts(assessment, context["group"], context["peers"]),
            "query": request.GET.urlencode(),
            "reopening": selectors.reopening_of(assessment) if assessment.result.is_superseded else None,
        }
    )
    return render(request, "assessments/compare.html", context)


def _table_rows(assessment, context) -> tuple[list[list], int]:
    """The compare table as the downloads hold it, scores rounded as on the page; and the row of its headings."""
    city = assessment.city
    rows = [
        [_("City"), city.name, _("Year"), assessment.year],
        [_("Peer group"), str(context["group"].definition)],
        [_("Cities in the group (n)"), context["n"]],
    ]
    if assessment.result.is_superseded:
        rows.append([_("Note"), _("Superseded: the assessment was reopened; these are its last submission's.")])
    if context["has_demo"]:
        rows.append([_("Note"), _("Includes demonstration data: synthetic, not real cities' results.")])
    if context["too_few"]:
        rows.append([_("Note"), _("Too few cities to compare: no group figures are given.")])
    rows.append([])
    headings = len(rows)
    rows.append(
        [
            _("Dimension"),
            _("Your score"),
            _("Median"),
            _("25th percentile"),
            _("75th percentile"),
            _("Lowest"),
            _("Highest"),
            _("Percentile rank"),
        ]
    )
    for row in context["comparisons"]:
        stats = row.stats
        values = (row.score, stats.median, stats.p25, stats.p75, stats.minimum, stats.maximum, row.rank)
        rows.append([row.name, *(_rounded(value) for value in values)])
    return [[str(cell) if isinstance(cell, Promise) else cell for cell in row] for row in rows], headings


def _compare_download(request, pk, city, fmt):
    assessment = _assessment(city, pk)
    context = comparison_for(request, assessment)
    rows, headings = _table_rows(assessment, context)
    if fmt == "xlsx":
        content = xlsx_content(rows, title=_("Comparison"), bold_rows=(headings,))
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        # One decimal, as the page shows them, in the language's convention (the page's link says which).
        content = csv_content(rows, number=lambda value: figure(value, places=1, grouped=False))
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    filename = f"opencities-{slugify(city.slug)}-{assessment.year}-compare-{context['kind']}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@city_role_required(Role.VIEWER)
def assessment_compare_csv(request, pk, *, city, membership):
    return _compare_download(request, pk, city, "csv")


@city_role_required(Role.VIEWER)
def assessment_compare_xlsx(request, pk, *, city, membership):
    return _compare_download(request, pk, city, "xlsx")


def _rounded(value):
    # The page rounds with floatformat:1, which also rounds half up.
    return None if value is None else round_half_up(value)


def _shown(value):
    """A figure of the page's reference table with one decimal, in the page's language."""
    return figure(value, places=1)
