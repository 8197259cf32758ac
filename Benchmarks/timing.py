"""Timing shared by the comparison scripts: medians of timed calls, cosine-bench's JSON, rounds
that alternate CosineKit and its competitors, and the BLAS thread count (set before NumPy loads)."""
import json, os, statistics, subprocess, sys, time

BLAS_THREADS_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def limit_blas_threads(argv=None, default="2"):
    """Sets the BLAS/OpenMP thread variables to the script's --threads value (default 2).

    BLAS libraries read them when they load: call this before importing NumPy, FAISS or torch."""
    argv = sys.argv if argv is None else argv
    threads = default
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            threads = argv[i + 1]
        elif a.startswith("--threads="):
            threads = a.split("=", 1)[1]
    for v in BLAS_THREADS_ENV:
        os.environ[v] = threads
    return threads


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


def alternate(rounds, ours_fn, theirs_fn, theirs_label="theirs"):
    """Calls `ours_fn()` then `theirs_fn()` `rounds` times (at least once), so both see the same
    machine load; each returns {name: seconds}, a name being a string or a (benchmark, competitor)
    tuple. Prints every round on stderr and returns ({name: [seconds per round]}, same for theirs)."""
    def label(k):
        return k if isinstance(k, str) else "/".join(k)

    mine, theirs = {}, {}
    for r in range(max(1, rounds)):
        for k, v in ours_fn().items():
            mine.setdefault(k, []).append(v)
        for k, v in theirs_fn().items():
            theirs.setdefault(k, []).append(v)
        print(f"round {r + 1}: ours " + ", ".join(f"{label(k)} {v[-1]:.4f}s" for k, v in mine.items())
              + f" | {theirs_label} " + ", ".join(f"{label(k)} {v[-1]:.4f}s" for k, v in theirs.items()),
              file=sys.stderr)
    return mine, theirs
