"""The pure parts of `make load`: which saves count as lost, and the table's percentiles and rows."""

import pytest

from bench.load.saves import CONFLICT, FAILED, SAVED, Save, Stored, saves_check
from bench.load.stats import ALL, HEALTHZ, Request, format_rows, page_rows, percentile

ANSWER = "7/lg-1"


def saved(token, revision, answer=ANSWER):
    return Save(answer, token, SAVED, revision)


@pytest.mark.parametrize(
    ("saves", "stored", "lost"),
    [
        # The last acknowledged save is stored; the earlier ones were overtaken.
        ([saved("a", 2), saved("b", 3), saved("c", 4)], Stored(4, "c"), []),
        # The database holds an older value than the last acknowledged save: that one is lost.
        ([saved("a", 2), saved("b", 3)], Stored(2, "a"), ["b"]),
        # Something else than the load test wrote the answer.
        ([saved("a", 2)], Stored(3, "somebody else"), ["a"]),
        # A later save that got no answer (an error) reached the database: it overtook the acknowledged one.
        ([saved("a", 2), Save(ANSWER, "b", FAILED)], Stored(3, "b"), []),
        # Two saves answered with the same revision: one overwrote the other without a conflict.
        ([saved("a", 2), saved("b", 2), saved("c", 3)], Stored(3, "c"), ["b"]),
        ([saved("a", 2), saved("b", 2)], Stored(2, "b"), ["a"]),
        # A conflict is not a save; nothing to find in the database for it.
        ([saved("a", 2), Save(ANSWER, "b", CONFLICT)], Stored(2, "a"), []),
        # The answer is gone altogether.
        ([saved("a", 2)], None, ["a"]),
    ],
)
def test_a_save_is_lost_when_neither_stored_nor_overtaken(saves, stored, lost):
    check = saves_check(saves, {ANSWER: stored} if stored else {})
    assert [save.token for save in check.lost] == lost


def test_answers_are_checked_apart_and_outcomes_counted():
    saves = [
        saved("a", 2),
        saved("b", 2, answer="7/lg-2"),
        Save(ANSWER, "c", CONFLICT),
        Save(ANSWER, "d", FAILED),
    ]
    check = saves_check(saves, {ANSWER: Stored(2, "a"), "7/lg-2": Stored(2, "b")})
    assert (check.saved, check.conflicts, check.failed, check.lost) == (2, 1, 1, [])
    assert check.summary == "saves: 2 answered saved, 1 conflicts, 1 failed; lost 0/2"


@pytest.mark.parametrize(
    ("values", "share", "expected"),
    [([], 0.5, None), ([5.0], 0.99, 5.0), ([4, 1, 3, 2], 0.5, 2), (list(range(1, 101)), 0.95, 95), ([1, 2], 0.99, 2)],
)
def test_percentile_is_the_nearest_rank(values, share, expected):
    assert percentile(values, share) == expected


def test_rows_time_the_window_after_the_ramp_and_count_errors_over_the_whole_level():
    requests = [
        Request(HEALTHZ, 9.0, 500.0),  # during the ramp: not timed
        Request(HEALTHZ, 10.0, 10.0),
        Request(HEALTHZ, 11.0, 30.0),
        Request("home", 12.0, 20.0),
        Request("home", 13.0, 40.0),
        Request("home", 5.0, 1.0, error="HTTP 500"),  # during the ramp, still an error
        Request("elsewhere", 14.0, 8.0),
    ]
    rows = {row.name: row for row in page_rows(requests, measured_from=10.0, measured_to=20.0)}
    assert (rows[HEALTHZ].requests, rows[HEALTHZ].p50, rows[HEALTHZ].errors) == (2, 10.0, 0)
    assert (rows["home"].requests, rows["home"].per_second, rows["home"].p99, rows["home"].errors) == (2, 0.2, 40, 1)
    assert rows["elsewhere"].requests == 1  # a page the table does not know still shows
    assert (rows[ALL].requests, rows[ALL].errors) == (3, 1)  # /healthz is the baseline, not a page


def test_the_table_gives_each_median_as_a_ratio_to_healthz():
    rows = page_rows([Request(HEALTHZ, 1.0, 10.0), Request("home", 1.0, 25.0)], measured_from=0.0, measured_to=10.0)
    table = format_rows(rows).splitlines()
    assert table[0].split() == ["page", "requests", "req/s", "p50", "p95", "p99", "errors", "p50/healthz"]
    assert table[1].startswith("healthz (baseline)") and table[1].endswith("1.0x")
    assert table[2].split() == ["home", "1", "0.1", "25", "ms", "25", "ms", "25", "ms", "0", "2.5x"]
    assert next(line for line in table if line.startswith("profile")).split()[-1] == "—"
