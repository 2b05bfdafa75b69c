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
    repeat of the first one; the body is sent URL-encoded, as a browser sends a form.
    """

    client: Client
    url: str
    method: str = "GET"
    body: Callable[[], FormBody] | None = None
    status: int = 200

    def __post_init__(self):
        if self.method not in ("GET", "POST"):
            raise ValueError(f"A benchmark sends GET or POST, not {self.method}.")
        if self.method == "POST" and self.body is None:
            raise ValueError("A POST benchmark needs a body: a function building the form data of each request.")


# Creates the benchmark's data and returns the page to time: a Page, or the client (logged in if
# the page needs it) and the URL of a GET answered 200.
Setup = Callable[[], Page | tuple[Client, str]]


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


class Registry:
    def __init__(self):
        self._benchmarks: dict[str, Benchmark] = {}

    def add(self, benchmark: Benchmark) -> Benchmark:
        if benchmark.name in self._benchmarks:
            raise ValueError(f"Benchmark {benchmark.name!r} is registered twice.")
        # Baselines run first, so a ratio is always to a median taken earlier in the same run.
        if benchmark.baseline != benchmark.name and benchmark.baseline not in self._benchmarks:
            raise ValueError(
                f"Benchmark {benchmark.name!r} compares with {benchmark.baseline!r}, "
                "which must be registered before it."
            )
        self._benchmarks[benchmark.name] = benchmark
        return benchmark

    def benchmark(
        self, name: str, *, baseline: str = BARE_VIEW, target: float | None = None, max_queries: int | None = None
    ) -> Callable[[Setup], Setup]:
        """Register the decorated setup function as the benchmark `name`."""

        def register(setup: Setup) -> Setup:
            self.add(Benchmark(name, setup, baseline=baseline, target=target, max_queries=max_queries))
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
