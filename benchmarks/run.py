"""cartesia_calls benchmarks: the raw floor, our clients and the official SDK, in one run.

    python benchmarks/run.py            # the full run (about 3 minutes on 2 cores)
    python benchmarks/run.py --quick    # a third of the rounds, for a smoke test
    nox -s bench                        # the same, in a fresh environment

Everything talks to one FakeCartesia server running in a child process on 127.0.0.1 (see
``fake_server.py``), seeded in both API versions' shapes (``calls_data.SHAPES``) with a typical
call (50 turns), a large one (5,000 turns) and a bulk corpus (3,000 calls with 12-turn
transcripts), plus the export-memory corpora. Every scenario but the import times runs on both
shapes, and every goal but the import and memory ones is checked on each shape.

Measurements are interleaved: every round runs every shape and every contender once, in a
rotating order, and the tables show the median over rounds (with the fastest round beside it).
Results go to ``benchmarks/results/latest.json`` and ``latest.md``, the chart to
``docs/_static/bench.png``, and our client's profiles to ``benchmarks/results/profile-*.txt``.
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

SHAPES: list[str] = list(calls_data.SHAPES)
CONCURRENT_REQUESTS = 600
IN_FLIGHT = 50

#: (rounds, calls per round) of each scenario; every round covers both shapes. ``--quick``
#: divides the rounds by three.
PLAN = {
    "get_typical": (45, 10),
    "get_large": (15, 1),
    "concurrent": (9, CONCURRENT_REQUESTS),
    "bulk": (5, fake_server.BULK_CALLS),
    "import": (9, 1),
}

#: (key, description, threshold, per shape): the measured ratio must be at most the threshold;
#: a goal checked per shape is met only when it is met on every shape.
GOALS: list[tuple[str, str, float, bool]] = [
    ("typical_vs_floor", "typical get <= 1.5x floor (aiohttp + orjson)", 1.5, True),
    ("large_vs_floor", "large get <= 2.0x floor", 2.0, True),
    (
        "concurrent_vs_floor",
        f"{CONCURRENT_REQUESTS} gets, {IN_FLIGHT} in flight <= 1.6x floor",
        1.6,
        True,
    ),
    ("list_vs_floor", "list with transcripts, 100 a page <= 1.8x floor", 1.8, True),
    ("export_vs_floor", "export those calls to JSONL <= 1.5x floor", 1.5, True),
    ("sync_vs_async", "sync Client get <= 1.2x AsyncClient get (typical)", 1.2, True),
    (
        "import_client_vs_official",
        "import cartesia_calls; cartesia_calls.AsyncClient <= 0.5x official's",
        0.5,
        False,
    ),
    ("typical_vs_official", "typical get <= 0.3x official (async)", 0.3, True),
    ("large_vs_official", "large get <= 0.4x official (async)", 0.4, True),
    ("export_memory", "export peak memory, 10k calls <= 1.25x 1k calls", 1.25, False),
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


def _shape_name(shape: str) -> str:
    return f"shape {shape}"


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

    def timed_bulk(self, contender: cs.Contender, what: str, shape: str) -> float:
        """Seconds per call to list (``what="list"``) or export all of a shape's bulk calls."""
        agent = fake_server.bulk_agent(shape)
        expected = fake_server.BULK_CALLS
        with tempfile.TemporaryDirectory() as folder:
            gc.collect()
            started = time.perf_counter()
            if what == "list":
                count = self.call(contender, contender.list_all, agent)
            else:
                destination = os.path.join(folder, "export.jsonl")
                count = self.call(contender, contender.export, agent, destination)
            elapsed = time.perf_counter() - started
        if count != expected:
            raise RuntimeError(f"{contender.key} {what}ed {count} calls, not {expected}")
        return elapsed / count

    def rounds(
        self,
        name: str,
        chosen: list[cs.Contender],
        rounds: int,
        measure: Callable[[cs.Contender, str], float],
        *,
        unit: str = "ms",
    ) -> dict[str, dict[str, dict[str, Any]]]:
        """``{shape: {contender: summary}}``: each round measures every shape and contender once,
        both in an order that rotates from round to round."""
        samples: dict[str, dict[str, list[float]]] = {
            shape: {c.key: [] for c in chosen} for shape in SHAPES
        }
        for number in range(rounds):
            for shape in _rotated(SHAPES, number):
                for contender in _rotated(chosen, number):
                    samples[shape][contender.key].append(measure(contender, shape))
            if number % 5 == 4 or number == rounds - 1:
                for shape in SHAPES:
                    if unit == "calls/s":
                        done = ", ".join(f"{k} {1 / v[-1]:,.0f}" for k, v in samples[shape].items())
                    else:
                        done = ", ".join(
                            f"{k} {v[-1] * 1e3:.2f}" for k, v in samples[shape].items()
                        )
                    print(
                        f"  {name} [{shape}] round {number + 1}/{rounds} ({unit}): {done}",
                        flush=True,
                    )
        return {
            shape: {key: _summary(values) for key, values in per_shape.items()}
            for shape, per_shape in samples.items()
        }


def bench_gets(bench: Bench, plan: dict[str, tuple[int, int]]) -> dict[str, Any]:
    everyone = bench.contenders
    for shape in SHAPES:
        for contender in everyone:  # connections, lazy imports, structure functions
            bench.timed_gets(contender, calls_data.call_id("typical", shape), 5)
            bench.timed_gets(contender, calls_data.call_id("large", shape), 1)
    out: dict[str, Any] = {}
    for kind in ("typical", "large"):
        rounds, count = plan[f"get_{kind}"]
        out[f"get_{kind}"] = bench.rounds(
            f"get {kind}",
            everyone,
            rounds,
            lambda c, shape, kind=kind, count=count: bench.timed_gets(
                c, calls_data.call_id(kind, shape), count
            ),
        )
    return out


def bench_concurrent(bench: Bench, plan: dict[str, tuple[int, int]]) -> dict[str, Any]:
    """The floor and our AsyncClient only: the official SDK is not part of this goal, and 600 of
    its gets take seconds per round."""
    chosen = [c for c in bench.contenders if c.key in ("floor", "ours_async")]
    rounds, count = plan["concurrent"]
    for contender in chosen:  # open the extra connections
        bench.timed_concurrent(contender, calls_data.call_id("typical", SHAPES[0]), IN_FLIGHT * 2)
    walls = bench.rounds(
        "concurrent",
        chosen,
        rounds,
        lambda c, shape: bench.timed_concurrent(c, calls_data.call_id("typical", shape), count),
    )
    return {"concurrent": walls}


def bench_bulk(bench: Bench, plan: dict[str, tuple[int, int]]) -> dict[str, Any]:
    """Seconds per call: listing a shape's bulk calls with transcripts, and exporting them."""
    rounds = plan["bulk"][0]
    listers = [c for c in bench.contenders if c.lists]
    exporters = [c for c in bench.contenders if c.exports]
    for shape in SHAPES:  # warm up: every page's structure functions, the connections
        for contender in listers:
            bench.timed_bulk(contender, "list", shape)
    listing = bench.rounds(
        "list",
        listers,
        rounds,
        lambda c, shape: bench.timed_bulk(c, "list", shape),
        unit="calls/s",
    )
    exporting = bench.rounds(
        "export",
        exporters,
        rounds,
        lambda c, shape: bench.timed_bulk(c, "export", shape),
        unit="calls/s",
    )
    return {"list": listing, "export": exporting}


def bench_export_memory(base_url: str, api_key: str) -> dict[str, Any]:
    """Each export in a fresh child process: tracemalloc peak and RSS peak, 1k and 10k calls."""
    out: dict[str, Any] = {}
    script = str(HERE / "export_memory.py")
    for mode in ("tracemalloc", "rss"):
        for label, (agent, _count) in fake_server.MEMORY_AGENTS.items():
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


IMPORTS = {
    "baseline": "pass",
    "cartesia_calls": "import cartesia_calls",
    "cartesia": "import cartesia",
    "cartesia_calls_client": "import cartesia_calls; cartesia_calls.AsyncClient",
    "cartesia_client": "import cartesia; cartesia.AsyncCartesia",
}


def bench_import(rounds: int) -> dict[str, Any]:
    """Fresh interpreters: ``python -c "..."``, median wall time; ``pass`` is the baseline."""
    statements = dict(IMPORTS)
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
    baseline = result["baseline"]
    for key, statement in statements.items():
        result[key]["statement"] = statement
        result[key]["net_median"] = result[key]["median"] - baseline["median"]
        # Per round, net of that round's interpreter start: what the paired goal compares.
        result[key]["net_samples"] = [
            x - b for x, b in zip(samples[key], samples["baseline"], strict=True)
        ]
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
    """In-process, no network: parsing and model building alone, per body and shape.

    Like the gets, every timed batch starts right after ``gc.collect()``.
    """
    from cartesia_calls import AgentCall  # noqa: PLC0415
    from cartesia_calls._codec import decode  # noqa: PLC0415

    floor = next(c for c in bench.contenders if isinstance(c, cs.Floor))

    def per_call(fn: Callable[[], Any], samples: int, batch: int) -> float:
        fn()
        times = []
        for _ in range(samples):
            gc.collect()
            started = time.perf_counter()
            for _ in range(batch):
                fn()
            times.append((time.perf_counter() - started) / batch)
        return statistics.median(times)

    out: dict[str, Any] = {}
    for shape in SHAPES:
        out[shape] = {}
        for kind in ("typical", "large"):
            body = bench.runner.run(floor.get_bytes(calls_data.call_id(kind, shape)))
            samples, batch = (15, 20) if kind == "typical" else (7, 1)

            def official(body: bytes = body) -> Any:
                # What the official SDK does with a body: httpx's response.json(), then
                # construct.
                import cartesia.types.agents.agent_call as official_types  # noqa: PLC0415
                from cartesia._models import construct_type  # noqa: PLC0415

                return construct_type(type_=official_types.AgentCall, value=json.loads(body))

            row = out[shape][kind] = {
                "bytes": len(body),
                "orjson_loads": per_call(lambda body=body: orjson.loads(body), samples, batch),
                "json_loads": per_call(lambda body=body: json.loads(body), samples, batch),
                "ours_decode": per_call(lambda body=body: decode(body, AgentCall), samples, batch),
                "official_construct": (
                    per_call(official, samples, batch) if cs.official_available() else None
                ),
            }
            print(
                f"  decode {kind} [{shape}] ({row['bytes']:,} B, ms): "
                f"orjson {row['orjson_loads'] * 1e3:.3f}, ours {row['ours_decode'] * 1e3:.3f}, "
                f"official {(row['official_construct'] or 0) * 1e3:.3f}",
                flush=True,
            )
    return out


def profile_ours(bench: Bench) -> dict[str, str]:
    """pyinstrument profiles of our AsyncClient's typical and large gets, 2026-03-01 shape."""
    try:
        from pyinstrument import Profiler  # noqa: PLC0415
    except ImportError:
        return {}
    ours = next(c for c in bench.contenders if c.key == "ours_async")
    paths = {}
    for kind, count in (("typical", 400), ("large", 6)):
        call_id = calls_data.call_id(kind, calls_data.LEGACY)
        profiler = Profiler(interval=0.0002, async_mode="enabled")

        async def many(call_id: str = call_id, count: int = count) -> None:
            for _ in range(count):
                await ours.get(call_id)

        profiler.start()
        bench.runner.run(many())
        profiler.stop()
        path = RESULTS / f"profile-{kind}.txt"
        path.write_text(profiler.output_text(unicode=False, color=False, show_all=False))
        paths[kind] = str(path.relative_to(ROOT))
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


#: What each timing goal compares: (scenario, contender, reference).
_PAIRS = {
    "typical_vs_floor": ("get_typical", "ours_async", "floor"),
    "large_vs_floor": ("get_large", "ours_async", "floor"),
    "concurrent_vs_floor": ("concurrent", "ours_async", "floor"),
    "list_vs_floor": ("list", "ours_async", "floor"),
    "export_vs_floor": ("export", "ours_async", "floor"),
    "sync_vs_async": ("get_typical", "ours_sync", "ours_async"),
    "typical_vs_official": ("get_typical", "ours_async", "official_async"),
    "large_vs_official": ("get_large", "ours_async", "official_async"),
}


def evaluate(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each goal's ratio (per shape where it applies) and verdict.

    Timing goals compare two contenders measured in the same rounds, back to back: the ratio is
    the median over rounds of ``a / b`` for that round (a paired comparison; for list and
    export, of seconds per call), which a slow drift of the machine's speed (other work on a
    shared host) cannot bias the way it can bias a ratio of two separate medians. Both are in
    the JSON; the tables show the medians.
    """

    def paired(scenario: str, a: str, b: str, shape: str) -> float | None:
        rows = results.get(scenario, {}).get(shape, {})
        if a not in rows or b not in rows:
            return None
        pairs = zip(rows[a]["samples"], rows[b]["samples"], strict=True)
        return statistics.median(x / y for x, y in pairs)

    memory = results.get("export_memory", {})
    imports = results.get("import", {})
    goals = []
    for key, description, threshold, per_shape in GOALS:
        values: dict[str, float | None] = {}
        if key in _PAIRS:
            scenario, a, b = _PAIRS[key]
            how = f"{a} / {b}, {scenario}: median of the per-round ratios"
            for shape in SHAPES:
                values[shape] = paired(scenario, a, b, shape)
        elif key == "import_client_vs_official":
            how = (
                "median of the per-round ratios of the import times net of interpreter start "
                f"({IMPORTS['cartesia_calls_client']!r} / {IMPORTS['cartesia_client']!r})"
            )
            ours, theirs = imports.get("cartesia_calls_client"), imports.get("cartesia_client")
            values["any"] = (
                statistics.median(
                    x / y for x, y in zip(ours["net_samples"], theirs["net_samples"], strict=True)
                )
                if ours and theirs
                else None
            )
        else:  # export_memory
            how = "tracemalloc peak of the export, 10k / 1k"
            small = memory.get("tracemalloc_1k", {}).get("peak_bytes")
            big = memory.get("tracemalloc_10k", {}).get("peak_bytes")
            values["any"] = big / small if small and big else None
        measured = [v for v in values.values() if v is not None]
        goals.append(
            {
                "key": key,
                "goal": description,
                "threshold": threshold,
                "per_shape": per_shape,
                "values": values,
                "value": max(measured) if measured else None,
                "measured_as": how,
                "met": (
                    None if len(measured) < len(values) else all(v <= threshold for v in measured)
                ),
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
    ("get_typical", "get, typical call (50 turns)", "per call"),
    ("get_large", "get, large call (5,000 turns)", "per call"),
    ("concurrent", f"{CONCURRENT_REQUESTS} gets, {IN_FLIGHT} in flight (typical)", "wall"),
    ("list", f"list {fake_server.BULK_CALLS:,} calls with transcripts (12 turns)", "calls/s"),
    ("export", "export those calls to JSONL", "calls/s"),
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
        for shape in SHAPES:
            data = results.get(scenario, {}).get(shape)
            if not data:
                continue
            floor = data.get("floor", {}).get("median")
            official = data.get("official_async", {}).get("median")
            for key, row in data.items():
                median, best = row["median"], row["min"]
                vs_floor = f"{median / floor:.2f}x" if floor else ""
                vs_official = f"{median / official:.2f}x" if official else ""
                if unit == "calls/s":  # samples are seconds per call
                    shown, fastest = f"{1 / median:,.0f} calls/s", f"{1 / best:,.0f}"
                else:
                    shown, fastest = _fmt_time(median), _fmt_time(best)
                if unit == "wall":
                    shown += f" ({_fmt_time(median / CONCURRENT_REQUESTS)}/call)"
                rows.append(
                    [title, shape, LABELS.get(key, key), shown, fastest, vs_floor, vs_official]
                )
    return rows


TABLE_HEADER = ["scenario", "shape", "contender", "median", "best", "x floor", "x official"]


def render_table(rows: list[list[str]], markdown: bool = False) -> str:
    header = TABLE_HEADER
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    previous: list[str] = []
    for row in rows:
        shown = list(row)
        for column in (0, 1):  # the scenario and shape once per group
            if row[: column + 1] == previous[: column + 1]:
                shown[column] = ""
        previous = row
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
    for shape, kinds in results.get("decode", {}).items():
        for kind, row in kinds.items():
            rows.append(
                [
                    f"{kind} ({row['bytes'] / 1000:,.0f} kB)",
                    shape,
                    _fmt_time(row["orjson_loads"]),
                    _fmt_time(row["json_loads"]),
                    _fmt_time(row["ours_decode"]),
                    f"{row['ours_decode'] / row['orjson_loads']:.2f}x",
                    _fmt_time(row["official_construct"]) if row["official_construct"] else "n/a",
                ]
            )
    return rows


DECODE_HEADER = [
    "body",
    "shape",
    "orjson.loads",
    "json.loads",
    "cartesia_calls decode",
    "decode / orjson.loads",
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
MEMORY_HEADER = ["export memory (2026-03-01 shape)", "1,000 calls", "10,000 calls", "10k / 1k"]


def _verdict(met: bool | None) -> str:
    return {True: "met", False: "NOT met", None: "not measured"}[met]


def render_goals(goals: list[dict[str, Any]], markdown: bool = False) -> str:
    def shown(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.2f}x"

    lines = []
    if markdown:
        header = ["goal", *SHAPES, "verdict"]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for goal in goals:
        values = goal["values"]
        if goal["per_shape"]:
            cells = [shown(values.get(shape)) for shape in SHAPES]
        else:
            cells = [shown(values.get("any")) + " (both)"] + [""] * (len(SHAPES) - 1)
        verdict = _verdict(goal["met"])
        if markdown:
            lines.append(f"| {goal['goal']} | {' | '.join(cells)} | {verdict} |")
        else:
            measured = (
                ", ".join(f"{shape} {shown(values.get(shape))}" for shape in SHAPES)
                if goal["per_shape"]
                else shown(values.get("any"))
            )
            lines.append(f"  [{verdict:^12}] {goal['goal']:<70} {measured}")
    return "\n".join(lines)


def chart(results: dict[str, Any], path: Path) -> None:
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415
    from matplotlib.ticker import NullFormatter  # noqa: PLC0415

    panels = [
        ("get_typical", "get, typical call (50 turns)", 1e3, "ms per call"),
        ("get_large", "get, large call (5,000 turns)", 1e3, "ms per call"),
        ("concurrent", "600 gets, 50 in flight", 1e3 / CONCURRENT_REQUESTS, "ms per call (wall)"),
        ("list", "list calls with 12-turn transcripts", 1e6, "us per call"),
        ("export", "export them to JSONL", 1e6, "us per call"),
    ]
    colours = {
        "floor": "#9e9e9e",
        "floor_json": "#c7c7c7",
        "ours_async": "#1f77b4",
        "ours_sync": "#6baed6",
        "official_async": "#ff7f0e",
        "official_sync": "#fdae6b",
    }
    hatches = {SHAPES[0]: "", SHAPES[1]: "//"}
    figure, axes = plt.subplots(3, 2, figsize=(12, 11))
    for axis, (scenario, title, scale, unit) in zip(axes.flat, panels, strict=False):
        data = results.get(scenario, {})
        keys = [k for k in LABELS if any(k in data.get(shape, {}) for shape in SHAPES)]
        height = 0.38
        values_all = []
        for offset, shape in enumerate(SHAPES):
            rows = data.get(shape, {})
            values = [rows[k]["median"] * scale if k in rows else 0.0 for k in keys]
            values_all += values
            bars = axis.barh(
                [n + (offset - 0.5) * height for n in range(len(keys))],
                values,
                color=[colours[k] for k in keys],
                hatch=hatches[shape],
                edgecolor="white",
                height=height,
                label=f"{shape} shape",
            )
            shown = [f"{v:.0f}" if v >= 100 else f"{v:.2f}" for v in values]
            axis.bar_label(bars, labels=shown, padding=3, fontsize=7)
        axis.set_yticks(range(len(keys)), [LABELS[k] for k in keys])
        axis.invert_yaxis()
        axis.set_title(title, fontsize=11)
        axis.set_xlabel(unit)
        axis.set_xscale("log" if scenario in ("get_typical", "get_large", "list") else "linear")
        # A log axis spanning less than a decade labels its minor ticks, on top of each other.
        axis.xaxis.set_minor_formatter(NullFormatter())
        axis.set_xlim(
            min([v for v in values_all if v > 0], default=0.1) / 2
            if scenario in ("get_typical", "get_large", "list")
            else 0,
            max(values_all, default=1)
            * (3 if scenario in ("get_typical", "get_large", "list") else 1.25),
        )
        axis.tick_params(axis="y", labelsize=8)
        axis.grid(axis="x", alpha=0.3)
    legend_axis = axes.flat[-1]
    legend_axis.axis("off")
    handles = [
        plt.Rectangle((0, 0), 1, 1, facecolor="#1f77b4", hatch=hatches[s], edgecolor="white")
        for s in SHAPES
    ]
    legend_axis.legend(
        handles,
        [f"API version {s} shape" for s in SHAPES],
        loc="center",
        title="median over rounds; log scale\nwhere the official SDK is shown",
        fontsize=9,
        title_fontsize=9,
    )
    figure.suptitle("cartesia_calls vs the aiohttp floor and the official SDK (lower is better)")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)


# -- main -----------------------------------------------------------------------------------

#: The steps of a run, in order; ``--only`` picks some (a partial run still writes its files).
STEPS = ["import", "gets", "decode", "concurrent", "bulk", "profile", "memory"]


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
        "**Goals** (the ratio of each shape; a goal is met when it is met on both)",
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
    parser.add_argument(
        "--only",
        metavar="STEPS",
        help="comma-separated steps to run, of: " + ", ".join(STEPS) + " (default: all)",
    )
    parser.add_argument("--rounds", type=float, default=1.0, help="scale every round count")
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    parser.add_argument("--chart", type=Path, default=CHART)
    args = parser.parse_args()

    plan = {k: (max(1, round(r * args.rounds)), n) for k, (r, n) in PLAN.items()}
    if args.quick:
        plan = {k: (max(1, r // 3), n) for k, (r, n) in plan.items()}
    steps = STEPS if args.only is None else [s.strip() for s in args.only.split(",")]
    if unknown := set(steps) - set(STEPS):
        parser.error(f"unknown steps {sorted(unknown)}; choose from {', '.join(STEPS)}")
    if args.no_profile and "profile" in steps:
        steps = [s for s in steps if s != "profile"]
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
    if "import" in steps:
        print("import times ...", flush=True)
        results["import"] = bench_import(plan["import"][0])
    print("starting the server (child process) ...", flush=True)
    with fake_server.running_server() as (base_url, api_key):
        bench = Bench(base_url, api_key)
        bench.open()
        try:
            if "gets" in steps:
                results.update(bench_gets(bench, plan))
            if "decode" in steps:
                results["decode"] = decode_breakdown(bench)
            if "concurrent" in steps:
                results.update(bench_concurrent(bench, plan))
            if "bulk" in steps:
                results.update(bench_bulk(bench, plan))
            if "profile" in steps:
                results["profiles"] = profile_ours(bench)
        finally:
            bench.close()
        if "memory" in steps:
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
    print("goals (per shape where it applies; met only when met on both):")
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
            "shapes": SHAPES,
            "body_bytes": {
                shape: {kind: row["bytes"] for kind, row in kinds.items()}
                for shape, kinds in results.get("decode", {}).items()
            },
            "bulk_calls_per_shape": fake_server.BULK_CALLS,
            "bulk_turns_per_call": fake_server.BULK_TURNS,
            "concurrent_requests": CONCURRENT_REQUESTS,
            "in_flight": IN_FLIGHT,
            "page_size": cs.PAGE_SIZE,
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
