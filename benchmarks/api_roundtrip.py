"""The API client's added overhead per request, against a bare httpx call.

Both talk to the same sandbox (a separate process on loopback, so that the server's work
does not share this interpreter), on one keep-alive connection each, interleaved round by
round so that machine noise hits both alike. Reports medians and their ratio; the goal is a
ratio of at most 1.2.

    python benchmarks/api_roundtrip.py [--rounds 400] [--quick] [--json out.json] [--check]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable

import httpx
from protocol import Results, add_arguments, compared, write
from sandbox_process import free_port, start_sandbox

from nanobanana_desktop.api import GenerationRequest, NanoBananaClient
from nanobanana_desktop.sandbox import SANDBOX_KEY

GOAL = 1.2
WARM_UP = 30
QUICK_ROUNDS = 50


async def timed(call: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await call()
    return time.perf_counter() - start


async def measure(
    base_url: str, rounds: int, warm_up: int = WARM_UP
) -> dict[str, tuple[float, float]]:
    headers = {"Authorization": f"Bearer {SANDBOX_KEY}"}
    async with (
        NanoBananaClient(SANDBOX_KEY, base_url=base_url, max_connections=1) as client,
        httpx.AsyncClient(base_url=base_url, headers=headers) as bare,
    ):
        task_id = await client.generate(GenerationRequest("google/gempix2", "benchmark"))
        while not (await client.query(task_id)).is_final:  # noqa: ASYNC110 - polling a server
            await asyncio.sleep(0.05)

        async def bare_balance() -> object:
            response = await bare.get("/api/user")
            response.raise_for_status()
            return response.json()["data"]["credit"]

        async def bare_query() -> object:
            response = await bare.get("/api/task/query", params={"task_id": task_id})
            response.raise_for_status()
            return response.json()["data"]["status"]

        cases = {
            "GET /api/user": (client.balance, bare_balance),
            "GET /api/task/query": (lambda: client.query(task_id), bare_query),
        }
        results: dict[str, tuple[float, float]] = {}
        for name, (ours, theirs) in cases.items():
            ours_t: list[float] = []
            bare_t: list[float] = []
            for i in range(rounds + warm_up):
                # Alternate who goes first, so neither always meets a warmer server.
                first, second = (ours, theirs) if i % 2 else (theirs, ours)
                a, b = await timed(first), await timed(second)
                if i < warm_up:
                    continue
                ours_t.append(a if first is ours else b)
                bare_t.append(b if first is ours else a)
            results[name] = (statistics.median(ours_t), statistics.median(bare_t))
        return results


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument("--check", action="store_true", help=f"exit 1 if a ratio exceeds {GOAL}")
    add_arguments(parser)
    args = parser.parse_args()
    rounds, warm_up = (QUICK_ROUNDS, 10) if args.quick else (args.rounds, WARM_UP)
    port = free_port()
    proc = start_sandbox(
        port, "--pending", "0", "--submitted", "0", "--running", "0", "--not-found", "0"
    )
    try:
        results = asyncio.run(measure(f"http://127.0.0.1:{port}", rounds, warm_up))
    finally:
        proc.terminate()
        proc.wait(10)
    report = Results(
        "api_roundtrip",
        "API client overhead per request",
        args.quick,
        notes=[
            f"{rounds} interleaved rounds after {warm_up} of warm-up, one keep-alive "
            "connection each, sandbox in its own process; medians"
        ],
    )
    worst = 0.0
    print(
        f"{'request':<22}{'client':>12}{'bare httpx':>12}{'ratio':>8}   ({rounds} rounds, medians)"
    )
    for name, (ours, bare) in results.items():
        ratio = ours / bare
        worst = max(worst, ratio)
        print(f"{name:<22}{ours * 1e3:>10.3f}ms{bare * 1e3:>10.3f}ms{ratio:>8.3f}")
        report.figures.append(
            compared(
                f"{name}: client",
                ours * 1e3,
                "ms",
                bare * 1e3,
                "bare httpx",
                goal=f"ratio ≤ {GOAL}",
                met=ratio <= GOAL,
            )
        )
    print(f"worst ratio {worst:.3f} (goal <= {GOAL})")
    if args.json:
        write(args.json, report)
    return 1 if args.check and worst > GOAL else 0


if __name__ == "__main__":
    sys.exit(main())
