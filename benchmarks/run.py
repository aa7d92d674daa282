"""cartesia_calls benchmarks: the raw floor, our clients and the official SDK, in one run.

    python benchmarks/run.py            # the full run (about 3 minutes on 2 cores)
    python benchmarks/run.py --quick    # fewer rounds, for a smoke test
    nox -s bench                        # the same, in a fresh environment

Everything talks to one FakeCartesia server running in a child process on 127.0.0.1 (see
``fake_server.py``), seeded with a typical call (50 turns, ~19 kB), a large one (5,000 turns,
~1.8 MB) and two bulk corpora (10,000 and 1,000 calls with 12-turn transcripts).

Measurements are interleaved: every round runs every contender once, in a rotating order, and
the tables show the median over rounds (with the fastest round beside it). Results go to
``benchmarks/results/latest.json``, the chart to ``docs/_static/bench.png``, and our clients'
profiles to ``benchmarks/results/profile-*.txt``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import calls_data
import contenders as cs
import fake_server
import orjson

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
CHART = ROOT / "docs" / "_static" / "bench.png"

CONCURRENT_REQUESTS = 600
IN_FLIGHT = 50

#: (rounds, calls per round) of each scenario; ``--quick`` divides the rounds.
PLAN = {
    "get_typical": (60, 10),
    "get_large": (11, 1),
    "concurrent": (7, CONCURRENT_REQUESTS),
    "bulk": (2, fake_server.BULK_CALLS),
    "import": (9, 1),
}

GOALS = [
    # (key, description, threshold): the measured ratio must be at most the threshold.
    ("typical_vs_official", "typical get <= 0.40x official (async)", 0.40),
    ("typical_vs_floor", "typical get <= 1.8x floor (aiohttp + orjson)", 1.8),
    ("large_vs_official", "large get <= 0.50x official (async)", 0.50),
    ("concurrent_vs_official", "600 gets, 50 in flight <= 0.50x official", 0.50),
    ("sync_vs_async", "sync get <= 1.3x async get (typical)", 1.3),
    ("export_memory", "export peak memory, 10k calls <= 1.25x 1k calls", 1.25),
    ("import_vs_official", "import cartesia_calls <= import cartesia", 1.0),
    (
        "import_client_vs_official",
        "(stricter) import of the async client class <= official's",
        1.0,
    ),
]


# -- measuring ------------------------------------------------------------------------------


def _summary(samples: list[float]) -> dict[str, Any]:
    return {
        "median": statistics.median(samples),
        "min": min(samples),
        "max": max(samples),
        "samples": samples,
    }


def _rotated(items: list[Any], round_number: int) -> list[Any]:
    shift = round_number % len(items)
    return items[shift:] + items[:shift]


class Bench:
    """Runs the contenders on one long-lived event loop (sync ones in between, loop idle)."""

    def __init__(self, base_url: str, api_key: str) -> None:
        self.base_url = base_url
        self.api_key = api_key
        self.runner = asyncio.Runner()
        self.contenders = cs.all_contenders(base_url, api_key)

    def call(self, contender: cs.Contender, fn: Callable[..., Any], *args: Any) -> Any:
        if contender.kind == "async":
            return self.runner.run(fn(*args))
        return fn(*args)

    def open(self) -> None:
        for contender in self.contenders:
            self.call(contender, contender.open)

    def close(self) -> None:
        for contender in self.contenders:
            self.call(contender, contender.close)
        self.runner.close()

    def timed_gets(self, contender: cs.Contender, call_id: str, count: int) -> float:
        """Seconds per call for ``count`` sequential gets."""
        gc.collect()
        if contender.kind == "async":

            async def batch() -> float:
                started = time.perf_counter()
                for _ in range(count):
                    await contender.get(call_id)
                return time.perf_counter() - started

            elapsed: float = self.runner.run(batch())
        else:
            started = time.perf_counter()
            for _ in range(count):
                contender.get(call_id)
            elapsed = time.perf_counter() - started
        return elapsed / count

    def timed_concurrent(self, contender: cs.Contender, call_id: str, count: int) -> float:
        """Wall seconds for ``count`` gets with at most ``IN_FLIGHT`` in flight."""
        gc.collect()

        async def burst() -> float:
            limit = asyncio.Semaphore(IN_FLIGHT)

            async def one() -> None:
                async with limit:
                    await contender.get(call_id)

            started = time.perf_counter()
            await asyncio.gather(*(one() for _ in range(count)))
            return time.perf_counter() - started

        elapsed: float = self.runner.run(burst())
        return elapsed

    def rounds(
        self,
        name: str,
        chosen: list[cs.Contender],
        rounds: int,
        measure: Callable[[cs.Contender], float],
    ) -> dict[str, dict[str, Any]]:
        samples: dict[str, list[float]] = {c.key: [] for c in chosen}
        for number in range(rounds):
            for contender in _rotated(chosen, number):
                samples[contender.key].append(measure(contender))
            if number % 5 == 4 or number == rounds - 1:
                done = ", ".join(f"{k} {v[-1] * 1000:.2f}" for k, v in samples.items())
                print(f"  {name} round {number + 1}/{rounds} (ms): {done}", flush=True)
        return {key: _summary(values) for key, values in samples.items()}


def bench_gets(bench: Bench, plan: dict[str, tuple[int, int]]) -> dict[str, Any]:
    everyone = bench.contenders
    for contender in everyone:  # connections, lazy imports, structure functions
        bench.timed_gets(contender, calls_data.TYPICAL_ID, 5)
        bench.timed_gets(contender, calls_data.LARGE_ID, 1)
    rounds, count = plan["get_typical"]
    typical = bench.rounds(
        "get typical",
        everyone,
        rounds,
        lambda c: bench.timed_gets(c, calls_data.TYPICAL_ID, count),
    )
    rounds, count = plan["get_large"]
    large = bench.rounds(
        "get large",
        everyone,
        rounds,
        lambda c: bench.timed_gets(c, calls_data.LARGE_ID, count),
    )
    return {"get_typical": typical, "get_large": large}


def bench_concurrent(bench: Bench, plan: dict[str, tuple[int, int]]) -> dict[str, Any]:
    chosen = [c for c in bench.contenders if c.kind == "async" and c.key != "floor_json"]
    rounds, count = plan["concurrent"]
    for contender in chosen:  # open the extra connections
        bench.timed_concurrent(contender, calls_data.TYPICAL_ID, IN_FLIGHT * 2)
    walls = bench.rounds(
        "concurrent",
        chosen,
        rounds,
        lambda c: bench.timed_concurrent(c, calls_data.TYPICAL_ID, count),
    )
    return {"concurrent": walls}


def bench_bulk(bench: Bench, plan: dict[str, tuple[int, int]]) -> dict[str, Any]:
    """Calls per second: listing 10,000 calls with transcripts, and exporting them to JSONL."""
    rounds = plan["bulk"][0]
    listers = [c for c in bench.contenders if c.lists]
    exporters = [c for c in bench.contenders if c.exports]
    agent = fake_server.BULK_AGENT
    expected = fake_server.BULK_CALLS
    listing: dict[str, list[float]] = {c.key: [] for c in listers}
    exporting: dict[str, list[float]] = {c.key: [] for c in exporters}
    with tempfile.TemporaryDirectory() as folder:
        destination = os.path.join(folder, "export.jsonl")
        for number in range(rounds):
            for contender in _rotated(listers, number):
                gc.collect()
                started = time.perf_counter()
                count = bench.call(contender, contender.list_all, agent)
                elapsed = time.perf_counter() - started
                if count != expected:
                    raise RuntimeError(f"{contender.key} listed {count} calls, not {expected}")
                listing[contender.key].append(count / elapsed)
            for contender in _rotated(exporters, number):
                if os.path.exists(destination):
                    os.remove(destination)
                gc.collect()
                started = time.perf_counter()
                count = bench.call(contender, contender.export, agent, destination)
                elapsed = time.perf_counter() - started
                if count != expected:
                    raise RuntimeError(f"{contender.key} exported {count} calls, not {expected}")
                exporting[contender.key].append(count / elapsed)
            shown = ", ".join(f"{k} {v[-1]:,.0f}" for k, v in listing.items())
            shown_export = ", ".join(f"{k} {v[-1]:,.0f}" for k, v in exporting.items())
            print(
                f"  bulk round {number + 1}/{rounds} (calls/s): list {shown}; "
                f"export {shown_export}",
                flush=True,
            )
    return {
        "list_10k": {k: _summary(v) for k, v in listing.items()},
        "export_10k": {k: _summary(v) for k, v in exporting.items()},
    }


def bench_export_memory(base_url: str, api_key: str) -> dict[str, Any]:
    """Each export in a fresh child process: tracemalloc peak and RSS peak, 1k and 10k calls."""
    out: dict[str, Any] = {}
    script = str(HERE / "export_memory.py")
    for mode in ("tracemalloc", "rss"):
        for label, agent in (
            ("1k", fake_server.SMALL_BULK_AGENT),
            ("10k", fake_server.BULK_AGENT),
        ):
            result = subprocess.run(
                [sys.executable, script, base_url, api_key, agent, mode],
                check=True,
                capture_output=True,
                text=True,
            )
            measured = json.loads(result.stdout)
            out[f"{mode}_{label}"] = measured
            print(
                f"  export memory {mode} {label}: peak {measured['peak_bytes'] / 2**20:.1f} MiB "
                f"({measured['written']:,} calls, {measured['seconds']:.1f} s)",
                flush=True,
            )
    return out


def bench_import(rounds: int) -> dict[str, Any]:
    """Fresh interpreters: ``python -c "import X"``, median wall time; ``pass`` is the baseline."""
    statements = {
        "baseline": "pass",
        "cartesia_calls": "import cartesia_calls",
        "cartesia": "import cartesia",
        "cartesia_calls_client": "from cartesia_calls import AsyncClient",
        "cartesia_client": "from cartesia import AsyncCartesia",
    }
    if not cs.official_available():
        del statements["cartesia"], statements["cartesia_client"]

    # Bytecode must be cached, as in any installed environment: uv installs without compiling,
    # and PYTHONDONTWRITEBYTECODE would make every run compile every module from source.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def once(statement: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True, env=env)
        return time.perf_counter() - started

    for statement in statements.values():  # bytecode caches
        once(statement)
    samples: dict[str, list[float]] = {key: [] for key in statements}
    for number in range(rounds):
        for key in _rotated(list(statements), number):
            samples[key].append(once(statements[key]))
    result = {key: _summary(values) for key, values in samples.items()}
    baseline = result["baseline"]["median"]
    for key, statement in statements.items():
        result[key]["statement"] = statement
        result[key]["net_median"] = result[key]["median"] - baseline
    print(
        "  import (ms, net of interpreter start): "
        + ", ".join(
            f"{statements[key]!r} {result[key]['net_median'] * 1000:.0f}"
            for key in statements
            if key != "baseline"
        ),
        flush=True,
    )
    return result


def decode_breakdown(bench: Bench) -> dict[str, Any]:
    """In-process, no network: parsing and model building alone, per body.

    Like the gets, every timed batch starts right after ``gc.collect()``; ``ours_decode_no_gc``
    is the same decode with the garbage collector paused, to show its share.
    """
    from cartesia_calls import AgentCall  # noqa: PLC0415
    from cartesia_calls._codec import decode  # noqa: PLC0415

    floor = next(c for c in bench.contenders if isinstance(c, cs.Floor))

    def per_call(fn: Callable[[], Any], samples: int, batch: int, *, no_gc: bool = False) -> float:
        fn()
        times = []
        for _ in range(samples):
            gc.collect()
            if no_gc:
                gc.disable()
            started = time.perf_counter()
            for _ in range(batch):
                fn()
            times.append((time.perf_counter() - started) / batch)
            gc.enable()
        return statistics.median(times)

    out: dict[str, Any] = {}
    for label, call_id in (("typical", calls_data.TYPICAL_ID), ("large", calls_data.LARGE_ID)):
        body = bench.runner.run(floor.get_bytes(call_id))
        samples, batch = (15, 20) if label == "typical" else (7, 1)

        def official(body: bytes = body) -> Any:
            # What the official SDK does with a body: httpx's response.json(), then construct.
            import cartesia.types.agents.agent_call as official_types  # noqa: PLC0415
            from cartesia._models import construct_type  # noqa: PLC0415

            return construct_type(type_=official_types.AgentCall, value=json.loads(body))

        out[label] = {
            "bytes": len(body),
            "orjson_loads": per_call(lambda body=body: orjson.loads(body), samples, batch),
            "json_loads": per_call(lambda body=body: json.loads(body), samples, batch),
            "ours_decode": per_call(lambda body=body: decode(body, AgentCall), samples, batch),
            "ours_decode_no_gc": per_call(
                lambda body=body: decode(body, AgentCall), samples, batch, no_gc=True
            ),
            "official_construct": (
                per_call(official, samples, batch) if cs.official_available() else None
            ),
        }
        row = out[label]
        print(
            f"  decode {label} ({row['bytes']:,} B, ms): orjson {row['orjson_loads'] * 1e3:.3f}, "
            f"ours {row['ours_decode'] * 1e3:.3f} "
            f"(GC paused {row['ours_decode_no_gc'] * 1e3:.3f}), "
            f"official {(row['official_construct'] or 0) * 1e3:.3f}",
            flush=True,
        )
    return out


def profile_ours(bench: Bench) -> dict[str, str]:
    """pyinstrument profiles of our AsyncClient's typical and large gets (text, saved)."""
    try:
        from pyinstrument import Profiler  # noqa: PLC0415
    except ImportError:
        return {}
    ours = next(c for c in bench.contenders if c.key == "ours_async")
    paths = {}
    for label, call_id, count in (
        ("typical", calls_data.TYPICAL_ID, 400),
        ("large", calls_data.LARGE_ID, 6),
    ):
        profiler = Profiler(interval=0.0002, async_mode="enabled")

        async def many(call_id: str = call_id, count: int = count) -> None:
            for _ in range(count):
                await ours.get(call_id)

        profiler.start()
        bench.runner.run(many())
        profiler.stop()
        path = RESULTS / f"profile-{label}.txt"
        path.write_text(profiler.output_text(unicode=False, color=False, show_all=False))
        paths[label] = str(path.relative_to(ROOT))
    return paths


# -- reporting ------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions = {}
    for name in (
        "cartesia-calls",
        "cartesia",
        "aiohttp",
        "orjson",
        "attrs",
        "cattrs",
        "httpx",
        "pydantic",
    ):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "versions": versions,
    }


def evaluate(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each goal's ratio and verdict.

    Timing goals compare two contenders measured in the same rounds, back to back: the ratio is
    the median over rounds of ``a / b`` for that round (a paired comparison), which a slow
    drift of the machine's speed (other work on a shared host) cannot bias the way it can bias
    a ratio of two separate medians. Both are in the JSON; the tables show the medians.
    """

    def paired(scenario: str, a: str, b: str) -> float | None:
        rows = results.get(scenario, {})
        if a not in rows or b not in rows:
            return None
        pairs = zip(rows[a]["samples"], rows[b]["samples"], strict=True)
        return statistics.median(x / y for x, y in pairs)

    def ratio(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None or b == 0 else a / b

    memory = results.get("export_memory", {})
    imports = results.get("import", {})
    values: dict[str, tuple[float | None, str]] = {
        "typical_vs_official": (
            paired("get_typical", "ours_async", "official_async"),
            "ours_async / official_async per call, median of per-round ratios",
        ),
        "typical_vs_floor": (
            paired("get_typical", "ours_async", "floor"),
            "ours_async / floor per call, median of per-round ratios",
        ),
        "large_vs_official": (
            paired("get_large", "ours_async", "official_async"),
            "ours_async / official_async per call, median of per-round ratios",
        ),
        "concurrent_vs_official": (
            paired("concurrent", "ours_async", "official_async"),
            "ours_async / official_async wall time of 600 gets, median of per-round ratios",
        ),
        "sync_vs_async": (
            paired("get_typical", "ours_sync", "ours_async"),
            "ours_sync / ours_async per call, median of per-round ratios",
        ),
        "export_memory": (
            ratio(
                memory.get("tracemalloc_10k", {}).get("peak_bytes"),
                memory.get("tracemalloc_1k", {}).get("peak_bytes"),
            ),
            "tracemalloc peak of the export, 10k / 1k",
        ),
        "import_vs_official": (
            ratio(
                imports.get("cartesia_calls", {}).get("net_median"),
                imports.get("cartesia", {}).get("net_median"),
            ),
            "median import time net of interpreter start, cartesia_calls / cartesia",
        ),
        "import_client_vs_official": (
            ratio(
                imports.get("cartesia_calls_client", {}).get("net_median"),
                imports.get("cartesia_client", {}).get("net_median"),
            ),
            "from cartesia_calls import AsyncClient / from cartesia import AsyncCartesia, "
            "median net of interpreter start",
        ),
    }
    goals = []
    for key, description, threshold in GOALS:
        value, how = values[key]
        goals.append(
            {
                "key": key,
                "goal": description,
                "threshold": threshold,
                "value": value,
                "measured_as": how,
                "met": None if value is None else value <= threshold,
            }
        )
    return goals


LABELS = {
    "floor": "floor: aiohttp + orjson.loads",
    "floor_json": "floor: aiohttp + json.loads",
    "ours_async": "cartesia_calls.AsyncClient",
    "ours_sync": "cartesia_calls.Client (sync)",
    "official_async": "cartesia.AsyncCartesia (official)",
    "official_sync": "cartesia.Cartesia (official, sync)",
}

SCENARIOS = [
    ("get_typical", "get, typical call (50 turns, 19 kB)", "per call"),
    ("get_large", "get, large call (5,000 turns, 1.8 MB)", "per call"),
    ("concurrent", f"{CONCURRENT_REQUESTS} gets, {IN_FLIGHT} in flight (typical)", "wall"),
    ("list_10k", "list 10,000 calls with transcripts (12 turns)", "calls/s"),
    ("export_10k", "export those 10,000 calls to JSONL", "calls/s"),
]


def _fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.001:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.0f} us"


def table_rows(results: dict[str, Any]) -> list[list[str]]:
    rows = []
    for scenario, title, unit in SCENARIOS:
        data = results.get(scenario)
        if not data:
            continue
        floor = data.get("floor", {}).get("median")
        official = data.get("official_async", {}).get("median")
        for key, row in data.items():
            median, best = row["median"], row["min" if unit != "calls/s" else "max"]
            if unit == "calls/s":
                shown, fastest = f"{median:,.0f} calls/s", f"{best:,.0f}"
                vs_floor = f"{floor / median:.2f}x" if floor else ""
                vs_official = f"{official / median:.2f}x" if official else ""
            else:
                shown, fastest = _fmt_time(median), _fmt_time(best)
                vs_floor = f"{median / floor:.2f}x" if floor else ""
                vs_official = f"{median / official:.2f}x" if official else ""
            if unit == "wall":
                shown += f" ({_fmt_time(median / CONCURRENT_REQUESTS)}/call)"
            rows.append([title, LABELS.get(key, key), shown, fastest, vs_floor, vs_official])
    return rows


def render_table(rows: list[list[str]], markdown: bool = False) -> str:
    header = ["scenario", "contender", "median", "best", "x floor", "x official"]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    previous = None
    for row in rows:
        shown = list(row)
        if row[0] == previous:
            shown[0] = ""
        previous = row[0]
        lines.append("  ".join(c.ljust(w) for c, w in zip(shown, widths, strict=True)))
    return "\n".join(lines)


def other_rows(results: dict[str, Any]) -> tuple[list[list[str]], list[list[str]]]:
    """Import times and export memory, as table rows."""
    imports = []
    for key, row in results.get("import", {}).items():
        if key == "baseline":
            continue
        imports.append(
            [
                f"`{row['statement']}`",
                _fmt_time(row["median"]),
                _fmt_time(row["net_median"]),
            ]
        )
    memory = []
    measured = results.get("export_memory", {})
    for mode, how in (("tracemalloc", "tracemalloc peak"), ("rss", "RSS peak - RSS before")):
        small, big = measured.get(f"{mode}_1k"), measured.get(f"{mode}_10k")
        if small and big:
            memory.append(
                [
                    how,
                    f"{small['peak_bytes'] / 2**20:.1f} MiB",
                    f"{big['peak_bytes'] / 2**20:.1f} MiB",
                    f"{big['peak_bytes'] / small['peak_bytes']:.2f}x",
                ]
            )
    return imports, memory


def decode_rows(results: dict[str, Any]) -> list[list[str]]:
    rows = []
    for label, row in results.get("decode", {}).items():
        rows.append(
            [
                f"{label} ({row['bytes'] / 1000:,.0f} kB)",
                _fmt_time(row["orjson_loads"]),
                _fmt_time(row["json_loads"]),
                _fmt_time(row["ours_decode"]),
                _fmt_time(row["ours_decode_no_gc"]),
                _fmt_time(row["official_construct"]) if row["official_construct"] else "n/a",
            ]
        )
    return rows


DECODE_HEADER = [
    "body",
    "orjson.loads",
    "json.loads",
    "cartesia_calls decode",
    "same, GC paused",
    "official: json.loads + construct",
]


def render_simple(header: list[str], rows: list[list[str]], markdown: bool = False) -> str:
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


IMPORT_HEADER = ["statement (fresh interpreter)", "median", "net of interpreter start"]
MEMORY_HEADER = ["export memory", "1,000 calls", "10,000 calls", "10k / 1k"]


def render_goals(goals: list[dict[str, Any]], markdown: bool = False) -> str:
    lines = []
    if markdown:
        lines += ["| goal | measured | verdict |", "|---|---|---|"]
    for goal in goals:
        value = "n/a" if goal["value"] is None else f"{goal['value']:.2f}x"
        verdict = {True: "met", False: "NOT met", None: "not measured"}[goal["met"]]
        if markdown:
            lines.append(f"| {goal['goal']} | {value} | {verdict} |")
        else:
            lines.append(f"  [{verdict:^12}] {goal['goal']:<62} measured {value}")
    return "\n".join(lines)


def chart(results: dict[str, Any], path: Path) -> None:
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    panels = [
        ("get_typical", "get, typical call (50 turns)", 1e3, "ms per call"),
        ("get_large", "get, large call (5,000 turns)", 1e3, "ms per call"),
        ("concurrent", "600 gets, 50 in flight", 1e3 / CONCURRENT_REQUESTS, "ms per call (wall)"),
        ("list_10k", "list 10,000 calls with 12-turn transcripts", None, "ms per call"),
    ]
    colours = {
        "floor": "#9e9e9e",
        "floor_json": "#c7c7c7",
        "ours_async": "#1f77b4",
        "ours_sync": "#6baed6",
        "official_async": "#ff7f0e",
        "official_sync": "#fdae6b",
    }
    figure, axes = plt.subplots(2, 2, figsize=(12, 7.5))
    for axis, (scenario, title, scale, unit) in zip(axes.flat, panels, strict=True):
        data = results.get(scenario, {})
        keys = [k for k in LABELS if k in data]
        if scale is None:  # throughput -> time per call
            values = [1e3 / data[k]["median"] for k in keys]
        else:
            values = [data[k]["median"] * scale for k in keys]
        bars = axis.barh(
            [LABELS[k] for k in keys], values, color=[colours[k] for k in keys], height=0.6
        )
        axis.invert_yaxis()
        axis.set_title(title, fontsize=11)
        axis.set_xlabel(unit)
        axis.bar_label(bars, labels=[f"{v:.2f}" for v in values], padding=3, fontsize=8)
        axis.set_xlim(0, max(values, default=1) * 1.22)
        axis.tick_params(axis="y", labelsize=8)
        axis.grid(axis="x", alpha=0.3)
    figure.suptitle("cartesia_calls vs the aiohttp floor and the official SDK (lower is better)")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


# -- main -----------------------------------------------------------------------------------


def markdown_report(document: dict[str, Any]) -> str:
    """The run as Markdown: docs/performance.md includes it, so the page shows the latest run."""
    info = document["machine"]
    versions = ", ".join(f"{name} {version}" for name, version in info["versions"].items())
    start, end = info["load_average_at_start"][0], info["load_average_at_end"][0]
    lines = [
        f"*Run of {document['generated_at']}{' (--quick)' if document['quick'] else ''}, "
        f"{document['run_seconds']:.0f} s: {info['cpu']}, {info['cores']} cores, "
        f"Python {info['python']}; {versions}; 1-minute load average {start:.1f} at the start "
        f"and {end:.1f} at the end.*",
        "",
        "**Goals**",
        "",
        document["goals_markdown"],
        "",
        "**Per call**",
        "",
        document["table_markdown"],
        "",
        "**Decoding alone** (in-process, no network)",
        "",
        document["decode_markdown"],
        "",
        "**Import time** (fresh interpreters)",
        "",
        document["import_markdown"],
        "",
        "**Export memory** (a fresh process per export)",
        "",
        document["memory_markdown"],
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke test)")
    parser.add_argument("--no-profile", action="store_true", help="skip the pyinstrument step")
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    parser.add_argument("--chart", type=Path, default=CHART)
    args = parser.parse_args()

    plan = dict(PLAN)
    if args.quick:
        plan = {k: (max(1, r // 3), n) for k, (r, n) in plan.items()}
    # Loopback must not go through a proxy (aiohttp and httpx both read these).
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
    RESULTS.mkdir(exist_ok=True)
    started = time.perf_counter()
    info = machine()
    print(f"machine: {info['cpu']} x{info['cores']}, Python {info['python']}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))
    load = info["load_average_at_start"][0]
    if load > 0.5:
        print(f"note: the 1-minute load average is {load:.2f}: other work shares the CPU")
    if cs.sync_client_class() is None:
        print("note: cartesia_calls.Client is not available in this version: no sync rows")
    if not cs.official_available():
        print("note: the official cartesia package is not installed: no official rows")

    results: dict[str, Any] = {}
    print("import times ...", flush=True)
    results["import"] = bench_import(plan["import"][0])
    print("starting the server (child process) ...", flush=True)
    with fake_server.running_server() as (base_url, api_key):
        bench = Bench(base_url, api_key)
        bench.open()
        try:
            results.update(bench_gets(bench, plan))
            results["decode"] = decode_breakdown(bench)
            results.update(bench_concurrent(bench, plan))
            results.update(bench_bulk(bench, plan))
            if not args.no_profile:
                results["profiles"] = profile_ours(bench)
        finally:
            bench.close()
        results["export_memory"] = bench_export_memory(base_url, api_key)

    goals = evaluate(results)
    rows = table_rows(results)
    imports, memory = other_rows(results)
    print()
    print(render_table(rows))
    print()
    print(render_simple(DECODE_HEADER, decode_rows(results)))
    print()
    print(render_simple(IMPORT_HEADER, imports))
    print()
    print(render_simple(MEMORY_HEADER, memory))
    print()
    print("goals:")
    print(render_goals(goals))
    elapsed = time.perf_counter() - started
    info["load_average_at_end"] = os.getloadavg()
    print(f"\n(whole run: {elapsed:.0f} s)")

    document = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "run_seconds": elapsed,
        "machine": info,
        "plan": {k: {"rounds": r, "per_round": n} for k, (r, n) in plan.items()},
        "quick": args.quick,
        "setup": {
            "server": "FakeCartesia in a child process on 127.0.0.1 (benchmarks/fake_server.py)",
            "typical_call_bytes": results.get("decode", {}).get("typical", {}).get("bytes"),
            "large_call_bytes": results.get("decode", {}).get("large", {}).get("bytes"),
            "bulk_calls": fake_server.BULK_CALLS,
            "bulk_turns_per_call": fake_server.BULK_TURNS,
            "concurrent_requests": CONCURRENT_REQUESTS,
            "in_flight": IN_FLIGHT,
        },
        "results": results,
        "goals": goals,
        "table_markdown": render_table(rows, markdown=True),
        "decode_markdown": render_simple(DECODE_HEADER, decode_rows(results), markdown=True),
        "import_markdown": render_simple(IMPORT_HEADER, imports, markdown=True),
        "memory_markdown": render_simple(MEMORY_HEADER, memory, markdown=True),
        "goals_markdown": render_goals(goals, markdown=True),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(document, indent=2) + "\n")
    args.output.with_suffix(".md").write_text(markdown_report(document))
    try:
        chart(results, args.chart)
    except ImportError:
        print(f"wrote {args.output} (matplotlib is not installed: no chart)")
    else:
        print(f"wrote {args.output} and {args.chart}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
