"""The load test's table: per page, percentiles and requests per second after the ramp, errors over the whole level."""

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# The pages as the locustfile names its requests, in the table's order; /healthz first, the baseline.
HEALTHZ = "healthz"
PAGES = (
    HEALTHZ,
    "home",
    "library search",
    "case study",
    "downloads",
    "my cities",
    "wizard GET",
    "wizard POST (save)",
    "profile",
    "compare",
    "recommendations",
    "report",
)
ALL = "all pages"


@dataclass(frozen=True)
class Request:
    name: str
    started: float  # seconds since the epoch
    milliseconds: float
    error: str | None = None


@dataclass(frozen=True)
class PageRow:
    name: str
    requests: int  # after the ramp
    per_second: float
    p50: float | None
    p95: float | None
    p99: float | None
    errors: int  # over the whole level, the ramp included


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile of `values` (share 0.5 for the median); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def page_rows(requests: Iterable[Request], *, measured_from: float, measured_to: float) -> list[PageRow]:
    """One row per page (the known pages in order, then any other name), then one for all pages but /healthz."""
    timed: dict[str, list[float]] = defaultdict(list)
    errors: Counter[str] = Counter()
    for request in requests:
        if request.error is not None:
            errors[request.name] += 1
        elif measured_from <= request.started < measured_to:
            timed[request.name].append(request.milliseconds)
    seconds = max(measured_to - measured_from, 1e-9)
    names = [*PAGES, *sorted((set(timed) | set(errors)) - set(PAGES))]

    def row(name, times, error_count):
        return PageRow(
            name,
            len(times),
            len(times) / seconds,
            percentile(times, 0.50),
            percentile(times, 0.95),
            percentile(times, 0.99),
            error_count,
        )

    rows = [row(name, timed[name], errors[name]) for name in names]
    pages = [name for name in names if name != HEALTHZ]
    every_time = [time for name in pages for time in timed[name]]
    return [*rows, row(ALL, every_time, sum(errors[name] for name in pages))]


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"


def format_rows(rows: Sequence[PageRow]) -> str:
    """The table of one level; p50/healthz is each page's median over /healthz's median of the same level."""
    baseline = next((row.p50 for row in rows if row.name == HEALTHZ), None)
    header = ("page", "requests", "req/s", "p50", "p95", "p99", "errors", "p50/healthz")
    lines = []
    for row in rows:
        ratio = f"{row.p50 / baseline:.1f}x" if row.p50 is not None and baseline else "—"
        name = f"{row.name} (baseline)" if row.name == HEALTHZ else row.name
        lines.append(
            (name, str(row.requests), f"{row.per_second:.1f}", _ms(row.p50), _ms(row.p95), _ms(row.p99),
             str(row.errors), ratio)
        )  # fmt: skip
    widths = [max(len(cells[column]) for cells in [header, *lines]) for column in range(len(header))]

    def line(cells):
        first = cells[0].ljust(widths[0])
        return "  ".join([first, *(cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))])

    return "\n".join(line(cells) for cells in [header, *lines])


def error_lines(requests: Iterable[Request], limit: int = 10) -> list[str]:
    """The most frequent errors, as "count × page: message"."""
    counts = Counter((request.name, request.error) for request in requests if request.error is not None)
    return [f"{count} × {name}: {error}" for (name, error), count in counts.most_common(limit)]
