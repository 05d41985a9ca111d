import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from runplane import Map, Pipeline, PythonTask, RunFailedError, metric
from runplane.adapters.tasks.asynchronous import run_to_completion


async def fetch(prompt: str) -> str:
    await asyncio.sleep(0)
    return prompt.upper()


async def stream_answer(question: str) -> AsyncIterator[dict[str, Any]]:
    words = []
    for word in question.split():
        await asyncio.sleep(0)
        words.append(word[::-1])
        yield {"type": "token", "text": word[::-1]}
    yield {"type": "done", "answer": " ".join(words), "tokens": len(words)}
    yield {"type": "token", "text": "never sent"}


async def no_done() -> AsyncIterator[dict[str, Any]]:
    yield {"type": "token", "text": "x"}


async def not_a_dict() -> AsyncIterator[Any]:
    yield "token"


async def fails() -> str:
    await asyncio.sleep(0)
    raise TimeoutError("the service did not answer")


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "memory.yaml"
    path.write_text("run_log_store:\n  type: buffered\ncatalog:\n  type: do-nothing\n")
    (tmp_path / "params.yaml").write_text("prompt: hi\nquestion: one two three\n")
    return str(path)


def test_an_async_function_runs_to_completion_on_the_step_path(config: str) -> None:
    run = Pipeline([PythonTask(fetch, returns=["shout"])]).execute(config, "params.yaml")
    assert run.steps["fetch"].returns == {"shout": "HI"}
    assert run.steps["fetch"].parameters == {"prompt": "hi"}


def test_an_async_generator_streams_events_and_the_done_event_carries_returns(
    config: str,
) -> None:
    events: list[dict[str, Any]] = []
    pipeline = Pipeline([PythonTask(stream_answer, returns=["answer", metric("tokens")])])
    run = pipeline.execute(config, "params.yaml", on_event=events.append)
    assert [e.get("text") for e in events] == ["eno", "owt", "eerht", None]
    assert events[-1] == {
        "step": "stream_answer",
        "type": "done",
        "answer": "eno owt eerht",
        "tokens": 3,
    }
    assert run.steps["stream_answer"].returns == {"answer": "eno owt eerht", "tokens": 3}
    assert run.steps["stream_answer"].metrics == {"tokens": 3}


def test_events_from_map_iterations_name_their_step(config: str) -> None:
    events: list[dict[str, Any]] = []
    Path("params.yaml").write_text("questions: [a b, c]\n")
    pipeline = Pipeline(
        [
            Map(
                "ask",
                iterate_on="questions",
                iterate_as="question",
                branch=Pipeline([PythonTask(stream_answer, returns=["answer", "tokens"])]),
            )
        ]
    )
    run = pipeline.execute(config, "params.yaml", on_event=events.append)
    assert run.parameters["answer"] == ["a b", "c"]
    done = [e["step"] for e in events if e["type"] == "done"]
    assert done == ["ask.0.stream_answer", "ask.1.stream_answer"]


def test_without_a_callback_the_stream_still_gives_its_returns(config: str) -> None:
    run = Pipeline([PythonTask(stream_answer, returns=["answer", "tokens"])]).execute(
        config, "params.yaml"
    )
    assert run.steps["stream_answer"].returns["tokens"] == 3


@pytest.mark.parametrize(
    ("function", "message"),
    [
        (no_done, "ended without a \\{'type': 'done'\\} event lacking answer"),
        (not_a_dict, "must yield dict events, got str"),
        (fails, "TimeoutError: the service did not answer"),
    ],
)
def test_broken_streams_and_failing_coroutines_fail_the_step(
    config: str, function: Any, message: str
) -> None:
    with pytest.raises(RunFailedError, match=message):
        Pipeline([PythonTask(function, returns=["answer"])]).execute(config)


def test_a_callback_that_raises_fails_the_step(config: str) -> None:
    def explode(event: dict[str, Any]) -> None:
        raise RuntimeError("client went away")

    with pytest.raises(RunFailedError, match="client went away"):
        Pipeline([PythonTask(stream_answer, returns=["answer", "tokens"])]).execute(
            config, "params.yaml", on_event=explode
        )


def test_runs_inside_a_running_event_loop() -> None:
    async def caller() -> str:
        return run_to_completion(fetch("x"))

    assert asyncio.run(caller()) == "X"
