"""Bounded load from a loopback client: a fixed request rate per endpoint, latency percentiles.

Open-loop: requests are started on a fixed schedule (``--rate`` per second) whatever the server
does, with at most ``--max-in-flight`` outstanding, so a slow server shows up as latency and
errors rather than as a politely lower rate. Prints one line per endpoint.

    python benchmarks/load/run.py --base http://127.0.0.1:8000 --token stw_… --rate 500 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx

SCAN_TEXT = ("Our new AI-generated autumn range is here! Free delivery this week only. "
             "Unsubscribe: https://northwind.example/unsubscribe — Northwind, 1 Harbour St.")


def endpoints(subject: str) -> dict[str, tuple[str, str, dict | None]]:
    return {
        "consent lookup": ("GET", f"/api/v1/consent/{subject}?purpose=personalised_advertising",
                           None),
        "content scan": ("POST", "/api/v1/content/scan",
                         {"text": SCAN_TEXT, "channel": "email",
                          "metadata": {"ai_generated": True}}),
        "systems list": ("GET", "/api/v1/systems", None),
    }


async def hammer(client: httpx.AsyncClient, method: str, path: str, body: dict | None, *,
                 rate: float, seconds: float, max_in_flight: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    gate = asyncio.Semaphore(max_in_flight)
    dropped = 0

    async def one() -> None:
        nonlocal errors
        started = time.perf_counter()
        try:
            response = await client.request(method, path, json=body)
            if response.status_code >= 400:
                errors += 1
        except httpx.HTTPError:
            errors += 1
        finally:
            latencies.append(time.perf_counter() - started)
            gate.release()

    tasks = []
    begin = time.perf_counter()
    total = int(rate * seconds)
    for i in range(total):
        target = begin + i / rate
        delay = target - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if gate.locked():
            dropped += 1
            continue
        await gate.acquire()
        tasks.append(asyncio.create_task(one()))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - begin
    ordered = sorted(latencies)
    return {
        "sent": len(tasks), "dropped": dropped, "errors": errors,
        "throughput": len(tasks) / elapsed,
        "p50_ms": 1000 * statistics.median(ordered) if ordered else float("nan"),
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
        if ordered else float("nan"),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--token", required=True)
    parser.add_argument("--subject", default="ada@example.com")
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--max-in-flight", type=int, default=200)
    parser.add_argument("--only", action="append", help="endpoint name(s) to run")
    args = parser.parse_args()
    limits = httpx.Limits(max_connections=args.max_in_flight,
                          max_keepalive_connections=args.max_in_flight)
    async with httpx.AsyncClient(base_url=args.base, limits=limits, timeout=10,
                                 headers={"Authorization": f"Bearer {args.token}"}) as client:
        for name, (method, path, body) in endpoints(args.subject).items():
            if args.only and name not in args.only:
                continue
            warm = await client.request(method, path, json=body)
            if warm.status_code >= 400:
                print(f"{name:15s} skipped: {warm.status_code} {warm.text[:120]}")
                continue
            result = await hammer(client, method, path, body, rate=args.rate,
                                  seconds=args.seconds, max_in_flight=args.max_in_flight)
            print(f"{name:15s} target {args.rate:.0f}/s  achieved {result['throughput']:.0f}/s  "
                  f"p50 {result['p50_ms']:.1f} ms  p99 {result['p99_ms']:.1f} ms  "
                  f"errors {result['errors']}  dropped {result['dropped']}")


if __name__ == "__main__":
    asyncio.run(main())
