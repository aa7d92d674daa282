"""Peak memory of one ``client.calls.export`` run, measured in a fresh process.

Usage: ``python export_memory.py BASE_URL API_KEY AGENT_ID {tracemalloc,rss}``; prints one JSON
object. The client is created and warmed up (one Get Call, so the connection, the converter's
structure functions and the lazy imports exist) before measuring, so only the export is counted.

* ``tracemalloc``: the peak of Python allocations during the export (``tracemalloc`` started just
  before it), in bytes. Deterministic; what the export itself holds at once.
* ``rss``: the process's peak resident set during the export minus its resident set just before
  it, in bytes: ``getrusage(RUSAGE_SELF).ru_maxrss`` (when the export raised it) and a 2 ms
  sampler of ``/proc/self/statm``, whichever is higher. Includes allocator slack and the C
  side (orjson, aiohttp buffers); noisier.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import tempfile
import threading
import time
import tracemalloc

import calls_data

import cartesia_calls

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss() -> int:
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[1]) * _PAGE


async def _main(base_url: str, api_key: str, agent_id: str, mode: str) -> dict[str, float]:
    async with cartesia_calls.AsyncClient(api_key=api_key, base_url=base_url) as client:
        await client.calls.get(calls_data.call_id("typical", calls_data.LEGACY))
        with tempfile.TemporaryDirectory() as folder:
            destination = os.path.join(folder, "export.jsonl")
            peak_sampled = 0
            done = threading.Event()

            def sample() -> None:
                nonlocal peak_sampled
                while not done.is_set():
                    peak_sampled = max(peak_sampled, _rss())
                    time.sleep(0.002)

            sampler = threading.Thread(target=sample, daemon=True) if mode == "rss" else None
            baseline = _rss()
            max_rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            if mode == "tracemalloc":
                tracemalloc.start()
            elif sampler is not None:
                sampler.start()
            started = time.perf_counter()
            result = await client.calls.export(destination, agent_id=agent_id)
            elapsed = time.perf_counter() - started
            out: dict[str, float] = {"written": result.written, "seconds": elapsed}
            if mode == "tracemalloc":
                out["peak_bytes"] = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            else:
                done.set()
                if sampler is not None:
                    sampler.join()
                max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
                # ru_maxrss is the peak of the process's whole life: it tells about the export
                # only if the export raised it.
                grown = max_rss if max_rss > max_rss_before else 0
                out["peak_bytes"] = max(grown, peak_sampled, baseline) - baseline
                out["baseline_rss_bytes"] = baseline
            out["file_bytes"] = os.stat(destination).st_size
            return out


if __name__ == "__main__":
    base_url, api_key, agent_id, mode = sys.argv[1:5]
    print(json.dumps(asyncio.run(_main(base_url, api_key, agent_id, mode))))
