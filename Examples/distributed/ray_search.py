#!/usr/bin/env python3
"""Exact top-k search of a sharded corpus on a Ray cluster, with the `cosine` command line.

    python3 Examples/distributed/ray_search.py --cosine PATH/TO/cosine --corpus SHARD.npy [SHARD.npy ...]
            --queries Q.npy --top-k K --work DIR --indices I.npy --scores S.npy
            [--address RAY_ADDRESS] [--quantize none|int8]

Each shard becomes an index file (`cosine index build`, its rows numbered after the previous
shards' so ids are global) in one Ray task, and is searched in another
(`cosine search --index ... --partial DIR/part-S.npz`); `cosine merge` joins the partial results
into I.npy (int64 global row ids, [Q, K]) and S.npy (scores). The result equals
`cosine search --corpus SHARD.npy ... --queries Q.npy --top-k K` on one machine.

Without --address, Ray starts a new local cluster of this machine's CPUs (`ray.init()`, even when
another one runs here); with it (an address, or `auto` for the cluster `ray start` started on this
machine), the tasks run on that cluster. Every node that runs a task needs the `cosine` binary at the same path and the shards,
the queries and DIR at the same paths (a shared file system), because tasks pass paths, not data.
The merge runs where this script runs.

A task whose worker dies (a lost node, a killed process) is retried (`max_retries`). Retries are
safe: the command line writes its outputs atomically (a temporary file renamed into place) and
this script writes its own files the same way, so a partial file is either complete or absent.

Errors (a missing binary or shard, a failed command) are reported as one line on standard error,
with exit status 1 (2 for bad arguments).
"""

import argparse
import os
import subprocess
import sys
import tempfile

# Retries of a task whose worker process or node is lost. A failing command is not retried: its
# error would repeat.
MAX_RETRIES = 3


def fail(message, status=1):
    print(f"ray_search.py: {message}", file=sys.stderr)
    sys.exit(status)


def parse_arguments():
    parser = argparse.ArgumentParser(
        description="Exact top-k cosine search of a sharded corpus on a Ray cluster.")
    parser.add_argument("--cosine", required=True, help="the cosine binary (on every node)")
    parser.add_argument("--corpus", required=True, nargs="+", metavar="SHARD.npy",
                        help="the corpus's shards, in order: rows [N_s, D]")
    parser.add_argument("--queries", required=True, metavar="Q.npy", help="query rows [Q, D]")
    parser.add_argument("--top-k", required=True, type=int, metavar="K", help="results per query")
    parser.add_argument("--work", required=True, metavar="DIR",
                        help="index files, ids and partial results (shared by the nodes)")
    parser.add_argument("--indices", required=True, metavar="I.npy", help="output: global ids [Q, K]")
    parser.add_argument("--scores", required=True, metavar="S.npy", help="output: scores [Q, K]")
    parser.add_argument("--address", help="a running Ray cluster, or auto (default: start a local one)")
    parser.add_argument("--quantize", choices=["none", "int8"], default="none",
                        help="codes stored in each shard's index (int8: same results)")
    args = parser.parse_args()
    if args.top_k < 1:
        fail(f"--top-k must be at least 1, got {args.top_k}", 2)
    return args


def shard_rows(path):
    """The row count of a 2-D .npy file, from its header (the data is not read)."""
    import numpy as np

    try:
        array = np.load(path, mmap_mode="r")
    except (OSError, ValueError) as error:
        fail(f"{path}: not a readable .npy file ({error})")
    if array.ndim != 2:
        fail(f"{path}: expected a 2-D array of rows, got shape {array.shape}")
    return array.shape[0]


def save_atomically(path, array):
    """np.save to a temporary file in the same directory, then rename it into place."""
    import numpy as np

    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".npy", dir=directory)
    try:
        with os.fdopen(descriptor, "wb") as file:
            np.save(file, array)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


class CommandFailed(Exception):
    """A cosine command exited non-zero; the message is its error line."""


def run(command):
    """Runs a command; raises CommandFailed with its last line of standard error."""
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise CommandFailed(lines[-1] if lines else f"{command[0]} exited with status {result.returncode}")


def build_index(cosine, shard, first_id, rows, work, number, quantize):
    """Task: the index file of one shard, its rows numbered first_id ..< first_id + rows."""
    import numpy as np

    ids = os.path.join(work, f"ids-{number}.npy")
    index = os.path.join(work, f"shard-{number}.cosidx")
    save_atomically(ids, np.arange(first_id, first_id + rows, dtype=np.int64))
    run([cosine, "index", "build", shard, "--ids", ids, "--quantize", quantize, "-o", index])
    return index


def search_shard(cosine, index, queries, top_k, work, number):
    """Task: the top k of one shard for every query, as a partial file for cosine merge."""
    partial = os.path.join(work, f"part-{number}.npz")
    run([cosine, "search", "--index", index, "--queries", queries, "--top-k", str(top_k),
         "--partial", partial, "--quiet"])
    return partial


def main():
    args = parse_arguments()
    cosine = os.path.abspath(args.cosine)
    if not os.path.isfile(cosine) or not os.access(cosine, os.X_OK):
        fail(f"--cosine {args.cosine}: no such executable")
    for path in args.corpus + [args.queries]:
        if not os.path.isfile(path):
            fail(f"{path}: no such file")
    shards = [os.path.abspath(path) for path in args.corpus]
    queries = os.path.abspath(args.queries)
    counts = [shard_rows(path) for path in shards]
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)

    try:
        import ray
    except ImportError:
        fail("Ray is not installed (python3 -m pip install ray)")
    # "local": a new cluster of this machine's CPUs, even when another one is running here.
    ray.init(address=args.address or "local", log_to_driver=False, configure_logging=False)
    build = ray.remote(num_cpus=1, max_retries=MAX_RETRIES)(build_index)
    search = ray.remote(num_cpus=1, max_retries=MAX_RETRIES)(search_shard)

    partials, first_id = [], 0
    for number, (shard, rows) in enumerate(zip(shards, counts)):
        index = build.remote(cosine, shard, first_id, rows, work, number, args.quantize)
        partials.append(search.remote(cosine, index, queries, args.top_k, work, number))
        first_id += rows
    try:
        parts = ray.get(partials)
    except ray.exceptions.RayTaskError as error:
        cause = error.cause if hasattr(error, "cause") else error
        fail(str(cause).strip().splitlines()[-1])
    except ray.exceptions.RayError as error:
        fail(f"a task failed after {MAX_RETRIES} retries: {str(error).strip().splitlines()[0]}")
    finally:
        ray.shutdown()

    try:
        run([cosine, "merge", *parts, "--top-k", str(args.top_k), "--indices", args.indices,
             "--scores", args.scores])
    except CommandFailed as error:
        fail(str(error))
    print(f"{len(parts)} shards, {sum(counts)} rows: top {args.top_k} written to {args.indices} "
          f"and {args.scores}")


if __name__ == "__main__":
    main()
