"""Instructions per operation, counted by valgrind's callgrind: repeatable on a busy machine.

    python benchmarks/callgrind.py decode large 2026-03-01        # decode alone, in process
    python benchmarks/callgrind.py get ours_async large 2026-08-14  # whole gets, client side
    python benchmarks/callgrind.py list floor bulk 2026-03-01       # a listing of the bulk calls

Wall-clock times on a shared 2-core machine move by tens of percent between runs; instruction
counts do not (the same count twice, whatever else runs). Each measurement runs the workload
``n`` times and once more than that under ``valgrind --tool=callgrind`` with
``PYTHONHASHSEED=0``, and reports the difference divided by ``n``: the setup (imports, data,
warm-up, server start) cancels out. Gets, listings and exports talk to the benchmark server,
which runs in a child process valgrind does not follow, so only the client's instructions
count: the floor's and ours, measured the same way, give the ratio the goals are about, minus
what the server and the network add to both (wall-clock ratios are therefore lower).

Workloads (``WHAT CONTENDER KIND SHAPE``; ``decode`` and ``plain`` take no contender):

* ``decode KIND SHAPE``: ``decode(body, AgentCall)`` (``page``: ``Page[AgentCall]`` of 100
  bulk calls); ``loads KIND SHAPE``: ``orjson.loads`` of the same body; ``plain KIND SHAPE``:
  ``decode_plain`` (what an export does with a page).
* ``get CONTENDER KIND SHAPE``: one get of the typical or large call (``ours_sync``: every
  thread's instructions, the caller's and the loop thread's).
* ``list CONTENDER bulk SHAPE`` / ``export CONTENDER bulk SHAPE``: the whole bulk corpus.

Decisions in docs/performance.md were made on these counts; ``--runs`` sets ``n``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _body(kind: str, shape: str) -> bytes:
    import calls_data  # noqa: PLC0415
    import fake_server  # noqa: PLC0415
    import orjson  # noqa: PLC0415

    if kind == "page":
        transcripts = [
            calls_data.make_turns(fake_server.BULK_TURNS, seed=1000 + n, shape=shape)
            for n in range(fake_server.BULK_TRANSCRIPTS)
        ]
        calls = [
            calls_data.make_call(f"ac_{n}", transcripts[n % len(transcripts)], shape=shape, index=n)
            for n in range(100)
        ]
        return orjson.dumps({"data": calls, "next_page": "ac_99", "has_more": True})
    turns = calls_data.TYPICAL_TURNS if kind == "typical" else calls_data.LARGE_TURNS
    index = 0 if kind == "typical" else 1
    return orjson.dumps(
        calls_data.make_call(calls_data.call_id(kind, shape), turns, shape=shape, index=index)
    )


def workload(what: str, who: str, kind: str, shape: str, runs: int) -> None:
    """Run the workload ``runs`` times (after a warm-up run), in this process."""
    sys.path.insert(0, str(HERE))
    if what in ("decode", "loads", "plain"):
        import orjson  # noqa: PLC0415

        from cartesia_calls import AgentCall, _codec  # noqa: PLC0415
        from cartesia_calls._models import Page  # noqa: PLC0415

        body = _body(kind, shape)
        cl: Any = Page[AgentCall] if kind == "page" else AgentCall
        fn = {
            "decode": lambda: _codec.decode(body, cl),
            "loads": lambda: orjson.loads(body),
            # getattr: older versions, measured for comparison, have no decode_plain.
            "plain": lambda: getattr(_codec, "decode_plain")(body, cl),  # noqa: B009
        }[what]
        for _ in range(runs + 1):
            fn()
        return

    import calls_data  # noqa: PLC0415
    import contenders  # noqa: PLC0415
    import fake_server  # noqa: PLC0415

    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
    with fake_server.running_server() as (base_url, api_key):
        contender = {c.key: c for c in contenders.all_contenders(base_url, api_key)}[who]

        async def done(value: Any) -> Any:
            # A sync contender (ours_sync) returns the value itself, blocking the loop here.
            return await value if contender.kind == "async" else value

        async def main() -> None:
            await done(contender.open())
            folder = tempfile.mkdtemp()
            for number in range(runs + 1):
                if what == "get":
                    await done(contender.get(calls_data.call_id(kind, shape)))
                elif what == "list":
                    await contender.list_all(fake_server.bulk_agent(shape))
                else:
                    path = os.path.join(folder, f"{number}.jsonl")
                    await contender.export(fake_server.bulk_agent(shape), path)
            await done(contender.close())

        asyncio.run(main())


def count(arguments: list[str], runs: int) -> int:
    """Instructions of one run of this script with ``arguments`` and ``runs`` runs."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--inside",
        "--runs",
        str(runs),
        *arguments,
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["decode", "loads", "plain", "get", "list", "export"])
    parser.add_argument("rest", nargs="+", help="[CONTENDER] KIND SHAPE")
    parser.add_argument("--runs", type=int, default=None, help="runs counted (default: 2-10)")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.what in ("decode", "loads", "plain"):
        who, (kind, shape) = "", args.rest
    else:
        who, kind, shape = args.rest
    if args.inside:
        workload(args.what, who, kind, shape, args.runs)
        return
    runs = args.runs or (10 if kind == "typical" else 2 if kind != "bulk" else 1)
    arguments = [args.what, *args.rest]
    base = count(arguments, 0)
    total = count(arguments, runs)
    print(f"{' '.join(arguments)}: {(total - base) / runs:,.0f} instructions per run")


if __name__ == "__main__":
    main()
