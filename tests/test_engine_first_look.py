"""The first look at ~2 s is skipped only when history says it would hear "not yet"."""

from __future__ import annotations

import pytest
from conftest import run
from engine_harness import REQUEST, engine_for

from nanobanana_desktop.engine.polling import DurationBook, PollPolicy
from nanobanana_desktop.engine.records import TaskState
from nanobanana_desktop.sandbox import SandboxConfig, SandboxThread

STEADY = PollPolicy(jitter=0.0)
LEARNED = (13.0, 17.0, 20.0)


def test_the_first_look_is_skipped_when_no_recent_task_ended_early():
    assert STEADY.delay(0.0, 0, schedule=LEARNED, earliest=8.0) == 13.0
    assert STEADY.delay(0.5, 0, schedule=LEARNED, earliest=8.0) == 12.5


@pytest.mark.parametrize("earliest", [None, 1.0, 5.9])
def test_the_first_look_stays_when_early_answers_are_possible(earliest):
    assert STEADY.delay(0.0, 0, schedule=LEARNED, earliest=earliest) == 2.0


def test_the_first_look_stays_with_webhooks_and_without_a_schedule():
    assert STEADY.delay(0.0, 0, schedule=LEARNED, earliest=8.0, webhooks=True) == 2.0
    assert STEADY.delay(0.0, 0, schedule=(), earliest=8.0) == 2.0


def test_an_early_failure_brings_the_first_look_back():
    book = DurationBook(min_samples=5)
    for seconds in (9.0, 11.0, 14.0, 17.0):
        book.add("m", seconds)
    assert book.earliest("m") is None  # too little history to trust
    book.add("m", 20.0)
    assert book.earliest("m") == 9.0
    book.add_failure("m", 1.5)
    assert book.earliest("m") == 1.5
    assert book.earliest("other") is None
    # A failure teaches no schedule.
    assert book.schedule("m") == (14.0, 17.0, 20.0)


def _queries(sandbox, task_id):
    return [
        r
        for r in sandbox.records.requests_to("api", "/api/task/query")
        if f"task_id={task_id}" in r.query
    ]


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ([], "a look at 0.2 s and every 0.2 s after"),
        ([3.0] * 5, "one look, at 3 s"),
        ([3.0] * 5 + ["fail 0.1"], "a look at 0.2 s, then one at 3 s"),
    ],
)
def test_the_engine_follows_what_history_taught_it(tmp_path, history, expected):
    """A task that takes ~1 s, polled on a clock where the first look comes at 0.2 s."""
    config = SandboxConfig.instant(in_progress_seconds=1.0)

    async def scenario(sandbox):
        async with engine_for(sandbox, tmp_path, poll_policy=PollPolicy.scaled(0.1)) as engine:
            for entry in history:
                if isinstance(entry, str):
                    engine.durations.add_failure(REQUEST.model, float(entry.split()[1]))
                else:
                    engine.durations.add(REQUEST.model, entry)
            task = await engine.submit(REQUEST)
            return await engine.wait(task.id)

    with SandboxThread(config) as sandbox:
        final = run(scenario(sandbox))
        assert final.state is TaskState.SUCCEEDED
        looks = _queries(sandbox, final.task_id)
    after = [look.at - final.submitted_at for look in looks]
    if expected == "one look, at 3 s":
        assert len(after) == 1
        assert after[0] >= 3.0 * 0.85  # jitter
    elif expected == "a look at 0.2 s, then one at 3 s":
        assert len(after) == 2
        assert after[0] < 0.5 and after[1] >= 3.0 * 0.85
    else:
        assert len(after) >= 3  # 0.2, 0.4, ... until the task ends at ~1 s
        assert after[0] < 0.5
