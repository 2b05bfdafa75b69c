import pytest
from django.test import Client

from assessments.models import Membership, Role
from bench import pages
from bench.registry import BARE_VIEW, Benchmark, Page, Registry
from bench.report import ERROR, FAIL, NOT_JUDGED, PASS, Outcome, exit_status, format_ratio, format_table, within_target
from bench.runner import run


def _setup():
    return Client(), "/"


BARE = Benchmark(BARE_VIEW, _setup, baseline=BARE_VIEW)
HOME = Benchmark("home", _setup, target=3.0)
LIST = Benchmark("my-cities", _setup, target=4.0, max_queries=10)


@pytest.mark.parametrize(
    ("ratio", "printed"),
    [(2.4, "2.4x"), (2.44, "2.4x"), (2.46, "2.5x"), (1, "1.0x"), (12.0, "12.0x")],
)
def test_ratio_is_printed_with_one_decimal_and_an_x(ratio, printed):
    assert format_ratio(ratio) == printed


@pytest.mark.parametrize(
    ("ratio", "passes"),
    [(2.9, True), (3.0, True), (3.04, True), (3.06, False), (3.1, False)],
)
def test_target_is_judged_on_the_ratio_as_printed(ratio, passes):
    assert within_target(ratio, 3.0) is passes


@pytest.mark.parametrize(
    ("ratio", "queries", "verdict"),
    [(4.0, 4, PASS), (4.1, 4, FAIL), (4.0, 10, PASS), (4.0, 11, FAIL)],
)
def test_a_benchmark_passes_within_its_target_and_query_budget(ratio, queries, verdict):
    outcome = Outcome(LIST, median=ratio * 0.001, baseline_median=0.001, queries=queries)
    assert outcome.verdict == verdict


def test_the_baseline_itself_is_one_times_and_not_judged():
    outcome = Outcome(BARE, median=0.001, baseline_median=0.001, queries=0)
    assert format_ratio(outcome.ratio) == "1.0x"
    assert outcome.verdict == NOT_JUDGED


def test_only_an_error_makes_the_run_fail():
    too_slow = Outcome(HOME, median=0.010, baseline_median=0.001, queries=1)
    raised = Outcome(HOME, error="Traceback …\nTemplateDoesNotExist: opencities/home.html")
    assert too_slow.verdict == FAIL
    assert exit_status([too_slow]) == 0
    assert raised.verdict == ERROR
    assert exit_status([too_slow, raised]) == 1


def test_table_has_the_database_above_one_row_per_benchmark():
    outcomes = [
        Outcome(BARE, median=0.0010, baseline_median=0.0010, queries=0),
        Outcome(HOME, median=0.0024, baseline_median=0.0010, queries=1),
        Outcome(LIST, error="boom"),
    ]
    lines = format_table(outcomes, database="PostgreSQL 16.4 (postgresql) · test_opencities_bench").splitlines()

    assert lines[0] == "Database: PostgreSQL 16.4 (postgresql) · test_opencities_bench"
    header, rule, *rows = lines[2:]
    assert header.split() == ["benchmark", "median", "baseline", "ratio", "target", "result", "queries"]
    assert set(rule) == {"-", " "}
    assert [row.split()[0] for row in rows] == ["bare-view", "home", "my-cities"]
    assert rows[1].split() == ["home", "2.40", "ms", "bare-view", "(1.00", "ms)", "2.4x", "≤", "3.0x", "PASS", "1"]
    assert "ERROR" in rows[2]


def test_a_benchmark_must_name_a_baseline_registered_before_it():
    registry = Registry()
    with pytest.raises(ValueError, match="must be registered before it"):
        registry.add(HOME)
    registry.add(BARE)
    registry.add(HOME)
    with pytest.raises(ValueError, match="registered twice"):
        registry.add(HOME)


def test_selecting_a_benchmark_brings_its_baseline_first():
    registry = Registry()
    for benchmark in (BARE, HOME, LIST):
        registry.add(benchmark)
    assert [benchmark.name for benchmark in registry.select(["my-cities"])] == ["bare-view", "my-cities"]
    assert len(registry.select()) == 3
    with pytest.raises(KeyError, match="No benchmark named nope"):
        registry.select(["nope"])


@pytest.mark.django_db
def test_run_measures_the_bare_view_and_reports_a_broken_page_as_an_error():
    def missing_page():
        return Client(), "/no-such-page/"

    broken = Benchmark("broken", missing_page, target=3.0)
    bare = Benchmark(BARE_VIEW, pages.bare_view, baseline=BARE_VIEW)

    measured, failed = run([bare, broken], warmup=1, repetitions=3)

    assert measured.median > 0
    assert measured.queries == 0
    assert format_ratio(measured.ratio) == "1.0x"
    assert failed.verdict == ERROR
    assert "answered 404" in failed.error


@pytest.mark.django_db
def test_my_cities_setup_makes_a_member_of_twenty_cities_of_five():
    client, url = pages.my_cities()

    memberships = Membership.objects.filter(user__username="member@bench.test")
    assert memberships.count() == 20
    for membership in memberships:
        team = Membership.objects.filter(city=membership.city)
        assert team.count() == 5
        assert team.filter(role=Role.LEAD).count() == 1
    assert url == "/en/cities/"
    assert client.session["_auth_user_id"] == str(memberships[0].user_id)


@pytest.mark.django_db
def test_a_page_runs_its_before_hook_untimed_before_each_request_and_shows_its_note():
    calls = []

    def noted_page():
        client, url = pages.bare_view()
        return Page(client, url, before=lambda: calls.append("before"), note="measured, no target yet")

    bare = Benchmark(BARE_VIEW, pages.bare_view, baseline=BARE_VIEW)
    noted = Benchmark("noted", noted_page)

    _bare, outcome = run([bare, noted], warmup=1, repetitions=3)

    assert len(calls) == 1 + 1 + 3  # the warm-up, the counted request, the timed ones
    assert outcome.verdict == NOT_JUDGED
    assert "noted: measured, no target yet" in format_table([outcome], database="SQLite")


def test_the_compare_10000_row_is_measured_against_compare_50_without_a_target():
    from bench import compare  # noqa: F401 (registers the compare rows)
    from bench.registry import registry

    row = next(benchmark for benchmark in registry if benchmark.name == "compare-10000")
    assert (row.baseline, row.target, row.max_queries) == ("compare-50", None, None)
