"""The results table: ratios, PASS or FAIL, and the one table `make bench` prints."""

from dataclasses import dataclass

from .registry import Benchmark

PASS, FAIL, ERROR, NOT_JUDGED = "PASS", "FAIL", "ERROR", "—"


@dataclass(frozen=True)
class Outcome:
    benchmark: Benchmark
    median: float | None = None  # seconds
    queries: int | None = None
    baseline_median: float | None = None
    error: str | None = None

    @property
    def ratio(self) -> float | None:
        if self.median is None or not self.baseline_median:
            return None
        return self.median / self.baseline_median

    @property
    def verdict(self) -> str:
        if self.error:
            return ERROR
        benchmark = self.benchmark
        if self.ratio is None or (benchmark.target is None and benchmark.max_queries is None):
            return NOT_JUDGED
        fast_enough = benchmark.target is None or within_target(self.ratio, benchmark.target)
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


def format_target(target: float | None) -> str:
    return NOT_JUDGED if target is None else f"≤ {format_ratio(target)}"


def format_median(seconds: float | None) -> str:
    return NOT_JUDGED if seconds is None else f"{seconds * 1000:.2f} ms"


def format_queries(outcome: Outcome) -> str:
    if outcome.queries is None:
        return NOT_JUDGED
    budget = outcome.benchmark.max_queries
    return str(outcome.queries) if budget is None else f"{outcome.queries} (≤ {budget})"


COLUMNS = ("benchmark", "median", "baseline", "ratio", "target", "result", "queries")
RIGHT_ALIGNED = {"median", "ratio", "queries"}


def table_row(outcome: Outcome) -> tuple[str, ...]:
    ratio = outcome.ratio
    baseline = outcome.benchmark.baseline
    if outcome.baseline_median is not None:
        baseline += f" ({format_median(outcome.baseline_median)})"
    return (
        outcome.benchmark.name,
        format_median(outcome.median),
        baseline,
        NOT_JUDGED if ratio is None else format_ratio(ratio),
        format_target(outcome.benchmark.target),
        outcome.verdict,
        format_queries(outcome),
    )


def format_table(outcomes: list[Outcome], *, database: str) -> str:
    """The database line, then a header and one row per benchmark."""
    rows = [COLUMNS, *(table_row(outcome) for outcome in outcomes)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(COLUMNS))]

    def line(row):
        cells = (
            cell.rjust(width) if name in RIGHT_ALIGNED else cell.ljust(width)
            for name, cell, width in zip(COLUMNS, row, widths, strict=True)
        )
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([f"Database: {database}", "", line(COLUMNS), rule, *(line(row) for row in rows[1:])])
