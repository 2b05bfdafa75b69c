"""Which benchmarks exist: each names a page, the baseline it is compared with and its target."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.test import Client

BARE_VIEW = "bare-view"

# A request body as a browser sends a form: (name, value) pairs, a name repeated for each ticked box.
FormBody = list[tuple[str, str]]


@dataclass(frozen=True)
class Page:
    """The request a benchmark times: a GET of `url` answered 200 unless it says otherwise.

    A POST names `body`, which the runner calls before each request, outside the timed part, so
    that every timed request can be a real change (a fresh revision, another option) rather than a
    repeat of the first one; the body is sent URL-encoded, as a browser sends a form. `before`, if
    set, is called before each request too, untimed (to empty a cache, say); `note` is printed
    under the table.
    """

    client: Client
    url: str
    method: str = "GET"
    body: Callable[[], FormBody] | None = None
    status: int = 200
    before: Callable[[], object] | None = None
    note: str | None = None

    def __post_init__(self):
        if self.method not in ("GET", "POST"):
            raise ValueError(f"A benchmark sends GET or POST, not {self.method}.")
        if self.method == "POST" and self.body is None:
            raise ValueError("A POST benchmark needs a body: a function building the form data of each request.")


@dataclass(frozen=True)
class Job:
    """Work timed outside a request: an import in rows per second, or a render against another job.

    `prepare`, called before each run outside the timed part, puts the database back as the job
    expects it and returns the run itself: a callable that does the work (and raises if it did
    not). The runner makes `warmup` untimed runs, the first counted for queries, then times
    `repetitions` runs (fewer if the command line asks fewer).

    A job with `rows` is a throughput row: rows per second, judged by the benchmark's `min_rate`.
    A job without is timed like a page, in turn with its baseline's runs (the baseline a job too)
    and judged on the ratio; `per` divides each median into time per `unit` (a run's 13 pages, say),
    so that documents of different lengths compare page for page. `note` is printed under the table.
    """

    prepare: Callable[[], Callable[[], object]]
    rows: int | None = None
    repetitions: int = 5
    warmup: int = 1
    per: int = 1
    unit: str | None = None
    note: str | None = None

    def __post_init__(self):
        if self.rows is not None and (self.per != 1 or self.unit):
            raise ValueError("A job with rows is judged in rows per second: it takes no per or unit.")
        if self.per < 1 or self.warmup < 1 or self.repetitions < 1:
            raise ValueError("A job's per, warmup and repetitions are at least 1.")


class Skip(Exception):
    """Raised by a setup that cannot run on this database; its message is the reason shown."""


# Creates the benchmark's data and returns what to time: a Page, the client (logged in if the page
# needs it) and the URL of a GET answered 200, or a Job. It may raise Skip.
Setup = Callable[[], Page | tuple[Client, str] | Job]


def as_page(setup_result: Page | tuple[Client, str]) -> Page:
    if isinstance(setup_result, Page):
        return setup_result
    client, url = setup_result
    return Page(client, url)


@dataclass(frozen=True)
class Benchmark:
    name: str
    setup: Setup
    baseline: str = BARE_VIEW
    # Highest acceptable median / baseline median; None for a baseline itself.
    target: float | None = None
    # Most queries one request may make; catches an N+1 that a fast database hides in the timing.
    max_queries: int | None = None
    # For a Job: the fewest rows per second acceptable (it has no baseline: its own name).
    min_rate: float | None = None


class Registry:
    def __init__(self):
        self._benchmarks: dict[str, Benchmark] = {}

    def add(self, benchmark: Benchmark) -> Benchmark:
        if benchmark.name in self._benchmarks:
            raise ValueError(f"Benchmark {benchmark.name!r} is registered twice.")
        if benchmark.min_rate is not None and (benchmark.target is not None or benchmark.baseline != benchmark.name):
            raise ValueError(f"Benchmark {benchmark.name!r} is judged in rows per second: it has no baseline or ratio.")
        # Baselines run first, so a ratio is always to a median taken earlier in the same run.
        if benchmark.baseline != benchmark.name and benchmark.baseline not in self._benchmarks:
            raise ValueError(
                f"Benchmark {benchmark.name!r} compares with {benchmark.baseline!r}, "
                "which must be registered before it."
            )
        self._benchmarks[benchmark.name] = benchmark
        return benchmark

    def benchmark(
        self,
        name: str,
        *,
        baseline: str | None = None,
        target: float | None = None,
        max_queries: int | None = None,
        min_rate: float | None = None,
    ) -> Callable[[Setup], Setup]:
        """Register the decorated setup function as the benchmark `name`.

        The baseline defaults to bare-view, or for a throughput benchmark (`min_rate`) to none.
        """
        if baseline is None:
            baseline = name if min_rate is not None else BARE_VIEW

        def register(setup: Setup) -> Setup:
            self.add(
                Benchmark(name, setup, baseline=baseline, target=target, max_queries=max_queries, min_rate=min_rate)
            )
            return setup

        return register

    def select(self, names: Iterable[str] = ()) -> list[Benchmark]:
        """The named benchmarks (all if none) with the baselines they need, in registration order."""
        names = set(names)
        unknown = names - self._benchmarks.keys()
        if unknown:
            raise KeyError(f"No benchmark named {', '.join(sorted(unknown))}; known: {', '.join(self._benchmarks)}.")
        wanted = names or set(self._benchmarks)
        for name in list(wanted):
            while (baseline := self._benchmarks[name].baseline) not in wanted:
                wanted.add(baseline)
                name = baseline
        return [benchmark for benchmark in self if benchmark.name in wanted]

    def __iter__(self) -> Iterator[Benchmark]:
        return iter(self._benchmarks.values())

    def __len__(self) -> int:
        return len(self._benchmarks)


registry = Registry()
benchmark = registry.benchmark
