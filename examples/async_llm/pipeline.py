"""Async steps: a coroutine (a service call) and an async generator streaming tokens.

python pipeline.py        # prints tokens as they stream, then the recorded answer
"""

import asyncio
import sys
from collections.abc import AsyncIterator
from typing import Any

from runplane import Pipeline, PythonTask, metric


async def retrieve(question: str) -> str:
    await asyncio.sleep(0.01)  # stands in for an HTTP call
    return f"context for {question!r}"


async def answer(question: str, context: str) -> AsyncIterator[dict[str, Any]]:
    words = f"Based on {context}: forty-two.".split()
    for word in words:
        await asyncio.sleep(0.01)  # stands in for an LLM streaming tokens
        yield {"type": "token", "text": word}
    yield {"type": "done", "reply": " ".join(words), "tokens": len(words)}


pipeline = Pipeline(
    [
        PythonTask(retrieve, returns=["context"]),
        PythonTask(answer, returns=["reply", metric("tokens")]),
    ],
    name="async-llm",
)


def show(event: dict[str, Any]) -> None:
    if event["type"] == "token":
        sys.stdout.write(event["text"] + " ")
    elif event["type"] == "done":
        sys.stdout.write(f"\n[{event['step']}: {event['tokens']} tokens]\n")


if __name__ == "__main__":
    from pathlib import Path

    run = pipeline.execute(
        parameters_file=str(Path(__file__).with_name("params.yaml")), on_event=show
    )
    print(run.parameters["reply"])
