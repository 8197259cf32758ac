"""Timing shared by the comparison scripts: medians of timed calls, and cosine-bench's JSON."""
import json, statistics, subprocess, time


def median_time(fn, runs):
    """Median seconds of `runs` calls of `fn`, after one untimed warm-up call."""
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def ours(bench, names, runs, threads):
    """Median seconds per benchmark name, from `cosine-bench --json --filter ...`."""
    out = subprocess.run([bench, "--json", "--runs", str(runs), "--threads", str(threads), "--filter", ",".join(names)],
                         check=True, capture_output=True, text=True).stdout
    return {d["name"]: d["seconds"] for d in map(json.loads, out.splitlines()) if d["name"] in names}
