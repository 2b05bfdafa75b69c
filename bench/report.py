"""The results table: ratios, PASS or FAIL, and the one table `make bench` prints."""

from dataclasses import dataclass

from .registry import Benchmark

PASS, FAIL, ERROR, NOT_JUDGED, SKIPPED = "PASS", "FAIL", "ERROR", "—", "skipped"


@dataclass(frozen=True)
class Outcome:
    benchmark: Benchmark
    median: float | None = None  # seconds
    queries: int | None = None
    baseline_median: float | None = None
    error: str | None = None
    skipped: str | None = None  # why it did not run here
    rows: int | None = None  # a Job's rows per run: the row reports rows per second
    unit: str | None = None  # a Job's median is per this (a page), its baseline's per baseline_unit
    baseline_unit: str | None = None
    note: str | None = None  # printed under the table (a Job's size, say)

    @property
    def ratio(self) -> float | None:
        if self.median is None or not self.baseline_median:
            return None
        return self.median / self.baseline_median

    @property
    def rate(self) -> float | None:
        """Rows per second of a Job."""
        if self.rows is None or not self.median:
            return None
        return self.rows / self.median

    @property
    def verdict(self) -> str:
        if self.error:
            return ERROR
        if self.skipped:
            return SKIPPED
        benchmark = self.benchmark
        is_job = self.rows is not None
        measured, limit = (self.rate, benchmark.min_rate) if is_job else (self.ratio, benchmark.target)
        if measured is None or (limit is None and benchmark.max_queries is None):
            return NOT_JUDGED
        if limit is None:
            fast_enough = True
        else:
            fast_enough = within_rate(measured, limit) if is_job else within_target(measured, limit)
        few_enough_queries = benchmark.max_queries is None or self.queries <= benchmark.max_queries
        return PASS if fast_enough and few_enough_queries else FAIL


def exit_status(outcomes: list[Outcome]) -> int:
    """Non-zero only when a benchmark raised: a page over its target is news, not a broken harness."""
    return 1 if any(outcome.verdict == ERROR for outcome in outcomes) else 0


def format_ratio(ratio: float) -> str:
    return f"{ratio:.1f}x"


def within_target(ratio: float, target: float) -> bool:
    # Judged on the ratio as printed, so "3.0x" against "≤ 3.0x" never reads as a FAIL.
    return round(ratio, 1) <= target


def within_rate(rate: float, min_rate: float) -> bool:
    # Judged on the rate as printed (whole rows per second).
    return round(rate) >= min_rate


def format_target(target: float | None) -> str:
    return NOT_JUDGED if target is None else f"≤ {format_ratio(target)}"


def format_median(seconds: float | None, unit: str | None = None) -> str:
    if seconds is None:
        return NOT_JUDGED
    per = f"/{unit}" if unit else ""
    return f"{seconds:.2f} s{per}" if seconds >= 1 else f"{seconds * 1000:.2f} ms{per}"


def format_rate(rate: float) -> str:
    return f"{rate:,.0f} rows/s"


def format_queries(outcome: Outcome) -> str:
    if outcome.queries is None:
        return NOT_JUDGED
    budget = outcome.benchmark.max_queries
    return str(outcome.queries) if budget is None else f"{outcome.queries} (≤ {budget})"


COLUMNS = ("benchmark", "median", "baseline", "ratio", "target", "result", "queries")
RIGHT_ALIGNED = {"median", "ratio", "queries"}


def table_row(outcome: Outcome) -> tuple[str, ...]:
    if outcome.rows is not None:  # a Job: its rows instead of a baseline, its rate instead of a ratio
        min_rate = outcome.benchmark.min_rate
        return (
            outcome.benchmark.name,
            format_median(outcome.median),
            f"{outcome.rows:,} rows",
            NOT_JUDGED if outcome.rate is None else format_rate(outcome.rate),
            NOT_JUDGED if min_rate is None else f"≥ {format_rate(min_rate)}",
            outcome.verdict,
            format_queries(outcome),
        )
    ratio = outcome.ratio
    baseline = outcome.benchmark.baseline
    if outcome.baseline_median is not None:
        baseline += f" ({format_median(outcome.baseline_median, outcome.baseline_unit)})"
    return (
        outcome.benchmark.name,
        format_median(outcome.median, outcome.unit),
        baseline,
        NOT_JUDGED if ratio is None else format_ratio(ratio),
        format_target(outcome.benchmark.target),
        outcome.verdict,
        format_queries(outcome),
    )


def format_table(outcomes: list[Outcome], *, database: str) -> str:
    """The database line, then a header and one row per benchmark; a skipped one gives its reason.

    The notes of the benchmarks that ran follow the table, a line each.
    """
    rows = [COLUMNS, *(table_row(outcome) for outcome in outcomes if not outcome.skipped)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(COLUMNS))]
    widths[0] = max([widths[0], *(len(outcome.benchmark.name) for outcome in outcomes)])

    def line(row):
        cells = (
            cell.rjust(width) if name in RIGHT_ALIGNED else cell.ljust(width)
            for name, cell, width in zip(COLUMNS, row, widths, strict=True)
        )
        return "  ".join(cells).rstrip()

    def outcome_line(outcome):
        if outcome.skipped:
            return f"{outcome.benchmark.name.ljust(widths[0])}  {SKIPPED}: {outcome.skipped}"
        return line(table_row(outcome))

    rule = "  ".join("-" * width for width in widths)
    table = [f"Database: {database}", "", line(COLUMNS), rule, *(outcome_line(each) for each in outcomes)]
    notes = [f"{each.benchmark.name}: {each.note}" for each in outcomes if each.note and not each.skipped]
    return "\n".join([*table, *([""] if notes else []), *notes])
