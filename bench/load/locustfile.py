"""The load test's users: visitors, members of the load cities (logged in before the test), and one /healthz monitor.

Started by `make load` (bench/load/runner.py), which writes the plan this file reads (LOAD_PLAN) and reads back
every request and every save it records (LOAD_RESULTS) when Locust quits.
"""

import itertools
import json
import os
import random
import time
from collections import Counter
from dataclasses import asdict

from locust import HttpUser, between, constant_pacing, events, task

from bench.browser import form_fields, with_value
from bench.load.saves import CONFLICT, FAILED, NOTE_PREFIX, SAVED, Save

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
STEP_FORM = "step-form"
_members = itertools.cycle(PLAN["members"])
_tokens = itertools.count(1)
_recorded = {"requests": [], "saves": [], "users": Counter(), "ramp_end": None, "stopping": None}


@events.request.add_listener
def _request(name, start_time, response_time, exception, **_kwargs):
    error = None if exception is None else f"{type(exception).__name__}: {exception}"[:300]
    _recorded["requests"].append((name, start_time, response_time, error))


@events.spawning_complete.add_listener
def _ramp_done(**_kwargs):
    _recorded["ramp_end"] = time.time()


@events.test_stopping.add_listener
def _stopping(**_kwargs):
    _recorded["stopping"] = time.time()


@events.quitting.add_listener
def _write_results(**_kwargs):
    results = {**_recorded, "saves": [asdict(save) for save in _recorded["saves"]]}
    with open(os.environ["LOAD_RESULTS"], "w", encoding="utf-8") as file:
        json.dump(results, file)


def _expect(response, status=200):
    """Mark the response failed unless it has the status (redirects are not followed: a login page is a failure)."""
    if response.status_code != status:
        response.failure(f"HTTP {response.status_code}")
        return False
    return True


class Visitor(HttpUser):
    """Someone reading the public pages."""

    weight = 2
    wait_time = between(1, 3)

    def on_start(self):
        _recorded["users"][type(self).__name__] += 1

    def _get(self, url, name):
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False) as response:
            _expect(response)

    @task(3)
    def home(self):
        self._get(PLAN["visitor"]["home"], "home")

    @task(3)
    def library_search(self):
        self._get(f"{PLAN['visitor']['library']}?q={random.choice(PLAN['visitor']['searches'])}", "library search")

    @task(3)
    def case_study(self):
        self._get(random.choice(PLAN["visitor"]["case studies"]), "case study")

    @task(1)
    def downloads(self):
        self._get(PLAN["visitor"]["downloads"], "downloads")


class Member(HttpUser):
    """A member of a load city, logged in already: reads the city's pages and edits this year's draft.

    Every save is an autosave of the wizard step that changes one answer's evidence note to a token of its own,
    from the revisions the page (or the last save) gave; a conflict is counted and the step opened again.
    """

    weight = 3
    wait_time = between(1, 3)

    def on_start(self):
        _recorded["users"][type(self).__name__] += 1
        self.member = next(_members)
        self.client.cookies.set("sessionid", self.member["session"])
        self.fields = None
        self.open_step()

    def _page(self, name):
        with self.client.get(self.member["pages"][name], name=name, catch_response=True, allow_redirects=False) as r:
            _expect(r)

    def open_step(self):
        with self.client.get(self.member["step"], name="wizard GET", catch_response=True, allow_redirects=False) as r:
            self.fields = form_fields(r.text, STEP_FORM) if _expect(r) else None

    @task(2)
    def my_cities(self):
        self._page("my cities")

    @task(2)
    def wizard_get(self):
        self.open_step()

    @task(5)
    def wizard_save(self):
        if self.fields is None:
            self.open_step()
            return
        question = random.choice(self.member["questions"])
        token = f"{self.member['email'].partition('@')[0]}-{next(_tokens)}"
        answer = f"{self.member['draft']}/{question}"
        typed = with_value(self.fields, f"{question}-note", NOTE_PREFIX + token)
        outcome, revision = FAILED, None
        with self.client.post(
            self.member["step"],
            data=with_value(typed, "autosave", "1"),
            headers={"X-Requested-With": "fetch"},
            name="wizard POST (save)",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            result = self._saved(response)
            if result and result["saved"]:
                outcome, revision = SAVED, int(result["revisions"][f"{question}-rev"])
                # As the page's script does: the next save starts from the revisions the server now holds.
                self.fields = typed
                for name, value in result["revisions"].items():
                    self.fields = with_value(self.fields, name, value)
            elif result and result["conflicts"] and not result["errors"]:
                outcome = CONFLICT
            elif result:
                response.failure(f"not saved: {result['errors']}")
        _recorded["saves"].append(Save(answer, token, outcome, revision))
        if outcome == CONFLICT:
            self.open_step()  # as a member does: reload the step, see the other's answer, carry on

    @staticmethod
    def _saved(response):
        if not _expect(response):
            return None
        try:
            return response.json()
        except ValueError:
            response.failure("the autosave's answer is no JSON")
            return None

    @task(2)
    def profile(self):
        self._page("profile")

    @task(2)
    def compare(self):
        self._page("compare")

    @task(2)
    def recommendations(self):
        self._page("recommendations")

    @task(1)
    def report(self):
        self._page("report")


class HealthMonitor(HttpUser):
    """A load balancer's probe: /healthz once a second, the baseline of the table."""

    fixed_count = 1
    wait_time = constant_pacing(1)

    def on_start(self):
        _recorded["users"][type(self).__name__] += 1

    @task
    def healthz(self):
        with self.client.get("/healthz", name="healthz", catch_response=True, allow_redirects=False) as response:
            _expect(response)
