"""Lost saves: which wizard saves that were answered "saved" the database no longer shows, and not for a good reason.

Each save of the load test writes a token of its own into one answer's evidence note, so the stored note says
which save the database kept. A save answered as saved is lost when its token is not stored and no later save
overtook it. Saves are ordered by the answer's revision, which each write moves on by one: a later save is one
answered with a higher revision, or the stored one when its revision is higher and its token is one the load
test sent (a save whose answer never came, already counted as an error). Two saves answered with the same
revision of one answer mean that one overwrote the other without a conflict: all but one are lost.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

# A save's evidence note: this, then its token.
NOTE_PREFIX = "Load test save "
SAVED = "saved"
CONFLICT = "conflict"
FAILED = "failed"  # no answer, an error status, or an answer that was neither saved nor a conflict


@dataclass(frozen=True)
class Save:
    """One autosave of the load test: the answer it changed, the token it wrote, what the server said."""

    answer: str  # "<assessment id>/<question key>"
    token: str
    outcome: str
    revision: int | None = None  # the answer's revision the server reported after a save


@dataclass(frozen=True)
class Stored:
    """An answer as the database holds it at the end of a level."""

    revision: int
    token: str


@dataclass(frozen=True)
class SavesCheck:
    saved: int
    conflicts: int
    failed: int
    lost: list[Save] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (
            f"saves: {self.saved} answered saved, {self.conflicts} conflicts, {self.failed} failed; "
            f"lost {len(self.lost)}/{self.saved}"
        )


def saves_check(saves: Iterable[Save], stored: dict[str, Stored]) -> SavesCheck:
    """Count the saves by outcome and find the lost ones, given what the database holds for each answer."""
    saves = list(saves)
    sent_tokens = {save.token for save in saves}
    by_answer: dict[str, dict[int, list[Save]]] = defaultdict(lambda: defaultdict(list))
    for save in saves:
        if save.outcome == SAVED:
            by_answer[save.answer][save.revision].append(save)
    lost = []
    for answer, by_revision in by_answer.items():
        kept = stored.get(answer)
        latest = max(by_revision)
        for revision, same in sorted(by_revision.items()):
            if revision < latest:
                lost += same[1:]  # overtaken, but one of them overwrote another unnoticed
            elif kept is not None and any(save.token == kept.token for save in same):
                lost += [save for save in same if save.token != kept.token]
            elif kept is not None and kept.revision > revision and kept.token in sent_tokens:
                lost += same[1:]
            else:
                lost += same
    return SavesCheck(
        saved=sum(save.outcome == SAVED for save in saves),
        conflicts=sum(save.outcome == CONFLICT for save in saves),
        failed=sum(save.outcome == FAILED for save in saves),
        lost=lost,
    )
