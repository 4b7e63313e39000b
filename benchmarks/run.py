"""Time ast_ad, the hand-written gradients and every installed peer on the workloads.

    python -m benchmarks.run                       # everything (a few minutes)
    python -m benchmarks.run --quick               # fewer, shorter rounds
    python -m benchmarks.run --workloads W1,T0 --rounds 5 --json out.json

Single-threaded BLAS (set before NumPy is imported), float64. Every engine's gradient is
checked against the hand-written one (rtol 1e-6) before it is timed; a mismatch or an
exception is reported in its cell and not timed. Rounds are interleaved: each round times
one batch of every engine in turn (starting one engine later each round), and the tables
report the median over rounds (the minimum is in the times table and the JSON).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import time
import timeit
import tracemalloc

# --- single-threaded BLAS/XLA/torch, before NumPy is imported anywhere -------------------
_THREADS = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
}
_XLA = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"


def _single_threaded_env() -> bool:
    """Set the thread variables; True if they were all already in force."""
    ok = all(os.environ.get(k) == v for k, v in _THREADS.items())
    for k, v in _THREADS.items():
        os.environ[k] = v
    if "xla_cpu_multi_thread_eigen" not in os.environ.get("XLA_FLAGS", ""):
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " " + _XLA).strip()
    return ok


if __name__ == "__main__" and not _single_threaded_env() and "numpy" in sys.modules:
    # NumPy was imported (its BLAS sized its thread pool) before we could set the
    # variables: start again with them in the environment.  # pragma: no cover
    os.execv(sys.executable, list(getattr(sys, "orig_argv", [sys.executable, *sys.argv])))

if __package__ in (None, ""):  # run as a script: python benchmarks/run.py
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# NumPy is imported from here on (by peers and workloads), after the variables are set
from benchmarks import peers as P  # noqa: E402
from benchmarks import workloads as W  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# ast_ad targets from the issue
RATIO_TARGET = {"W1": 1.5, "W2": 1.2, "W3": 1.1, "W4": 1.2, "W5": 1.1, "T0": 6.0}
GRAD_OVER_F_TARGET = 3.0
TRANSFORM_TARGET_MS = {"W1": 10.0, "W2": 10.0, "T0": 10.0, "W3": 30.0, "W4": 30.0}
MEMORY_TARGET = 1.2  # W4: peak memory of ast_ad's gradient / the hand gradient's
COLD_ENGINES = ["ast_ad", "tangent", "jax_jit"]  # engines with a transformation step
GRAD_ENGINES = ["hand", *P.RATIO_COLUMNS]


# --------------------------------------------------------------------------------------
# timing
# --------------------------------------------------------------------------------------


def make_timer(prep: P.Prepared) -> timeit.Timer:
    """A timer whose statement is the bare call ``call(a0, a1, ...)``: no ``*args``
    unpacking, so per-call overhead is the same small constant for every engine."""
    names = [f"a{i}" for i in range(len(prep.args))]
    env = {"call": prep.call, **dict(zip(names, prep.args))}
    return timeit.Timer(f"call({', '.join(names)})", globals=env)


def calibrate(timer: timeit.Timer, batch_s: float) -> int:
    """Calls per batch so that one batch takes about ``batch_s`` seconds."""
    n = 1
    while True:
        t = timer.timeit(n)
        if t >= batch_s / 4 or n >= 10_000_000:
            return max(1, math.ceil(n * batch_s / max(t, 1e-9)))
        n *= 4 if t < batch_s / 40 else 2


def time_interleaved(timers: dict, rounds: int, batch_s: float) -> tuple[dict, dict]:
    """({key: [seconds per call, one per round]}, {key: error}): each round runs one batch
    per engine, the starting engine rotating from round to round. An engine that raises
    while being timed is dropped with its error."""
    numbers, errors = {}, {}
    for k, timer in timers.items():
        try:
            numbers[k] = calibrate(timer, batch_s)
        except Exception as exc:  # noqa: BLE001  (reported as the engine's cell)
            errors[k] = "failed while timing: " + P._short(exc)
    out = {k: [] for k in numbers}
    for r in range(rounds):
        keys = list(out)
        order = keys[r % len(keys) :] + keys[: r % len(keys)] if keys else []
        for k in order:
            try:
                out[k].append(timers[k].timeit(numbers[k]) / numbers[k])
            except Exception as exc:  # noqa: BLE001
                errors[k] = "failed while timing: " + P._short(exc)
                del out[k]
    return out, errors


# --------------------------------------------------------------------------------------
# transformation time (fresh process) and peak memory
# --------------------------------------------------------------------------------------


def cold_child(engine_key: str, wl_name: str) -> dict:
    """In a fresh process: the first call of a freshly built gradient, minus a normal
    call. Imports, and two runs of the function and of the hand gradient (NumPy's own
    first-call costs, the allocator's first page faults) happen before the clock starts."""
    eng = P.BY_KEY[engine_key]
    eng.load()
    wl = W.WORKLOADS[wl_name]
    inputs = wl.inputs()
    for _ in range(2):
        wl.fn(*inputs)
        wl.hand(*inputs)
    args = eng.convert(wl, inputs)
    t0 = time.perf_counter()
    call = eng.build(wl)
    call(*args)
    first = time.perf_counter() - t0
    normal = []
    for _ in range(5):
        t0 = time.perf_counter()
        call(*args)
        normal.append(time.perf_counter() - t0)
    normal_s = statistics.median(normal)
    return {"first_s": first, "normal_s": normal_s, "transform_s": first - normal_s}


def cold_measure(engine_key: str, wl_name: str, repeats: int, timeout: float = 300.0):
    """Median transformation time (s) over ``repeats`` fresh processes, or a reason."""
    vals = []
    for _ in range(repeats):
        cmd = [sys.executable, "-m", "benchmarks.run", "--_cold", engine_key, wl_name]
        try:
            proc = subprocess.run(
                cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            return f"failed: timed out after {timeout:.0f} s"
        line = next((x for x in reversed(proc.stdout.splitlines()) if x.startswith("{")), None)
        if proc.returncode != 0 or line is None:
            err = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            return f"failed: {err[:120]}"
        res = json.loads(line)
        if "error" in res:
            return f"failed: {res['error']}"
        vals.append(res["transform_s"])
    return statistics.median(vals)


def peak_memory(prep: P.Prepared) -> int:
    """Peak bytes allocated (Python objects and NumPy buffers, as tracemalloc sees
    them) during one call, above what was allocated before it; the call is warm."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = prep.call(*prep.args)
        peak = tracemalloc.get_traced_memory()[1] - base
        del result
    finally:
        tracemalloc.stop()
    return peak


# --------------------------------------------------------------------------------------
# formatting
# --------------------------------------------------------------------------------------


def fmt_ratio(x: float) -> str:
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def fmt_us(sec: float) -> str:
    us = sec * 1e6
    if us >= 1000:
        return f"{us:,.0f}"
    if us >= 10:
        return f"{us:.1f}"
    if us >= 1:
        return f"{us:.2f}"
    return f"{us:.3f}"


def md_table(header: list, rows: list) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------------------


class TooSlow(Exception):
    """A first call ran past ``--call-limit`` (jax.grad unjitted on W6 takes minutes)."""


@contextlib.contextmanager
def call_limit(seconds: float):
    """Raise TooSlow in the block after ``seconds`` (SIGALRM: Unix, main thread; elsewhere
    no limit)."""
    if not seconds or not hasattr(signal, "setitimer"):
        yield
        return

    def alarm(signum, frame):
        raise TooSlow

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def bench_workload(wl: W.Workload, engines: list, status: dict, opts) -> dict:
    """Verify and time every engine on one workload. Returns per-engine results:
    {"median": s, "min": s, "times": [...]} or {"error": text}."""
    inputs = wl.inputs()
    want = P.BY_KEY["hand"].to_numpy(wl, wl.hand(*inputs))
    res, timers, preps = {}, {}, {}
    for key in ["f", "hand", *P.RATIO_COLUMNS]:
        if status.get(key):
            res[key] = {"error": status[key]}
            continue
        eng = P.BY_KEY[key]
        try:
            with call_limit(opts.call_limit):
                prep = eng.prepare(wl, inputs)
                out = prep.call(*prep.args)  # warm-up: transforms, traces, compiles
            got = prep.to_numpy(out)
        except TooSlow:
            res[key] = {"error": f"not finished in {opts.call_limit:g} s"}
            continue
        except Exception as exc:  # noqa: BLE001  (any failure of a peer is a table cell)
            res[key] = {"error": "failed: " + P._short(exc)}
            continue
        if key != "f":
            problem = P.agree(got, want)
            if problem:
                res[key] = {"error": f"mismatch ({problem})"}
                continue
        timers[key] = make_timer(prep)
        preps[key] = prep
        res[key] = {}
    times, errors = time_interleaved(timers, opts.rounds, opts.batch)
    for key, err in errors.items():
        res[key] = {"error": err}
        preps.pop(key)
    for key, ts in times.items():
        res[key] = {"median": statistics.median(ts), "min": min(ts), "times": ts}
    if opts.memory:
        for key, prep in preps.items():
            if key != "f" and P.BY_KEY[key].tracks_memory:
                res[key]["peak_bytes"] = peak_memory(prep)
    return res


def report(results: dict, cold: dict, opts, versions: dict, status: dict) -> str:
    wls = [W.WORKLOADS[n] for n in results]
    out = []
    labels = {k: P.BY_KEY[k].label for k in P.BY_KEY}

    def cell(r, key, ref_key="hand", show_us=False):
        e = r[key]
        if "error" in e:
            return e["error"]
        ref = r[ref_key]
        if "error" in ref:
            return "n/a"
        txt = fmt_ratio(e["median"] / ref["median"])
        return f"{txt} ({fmt_us(e['median'])} µs)" if show_us else txt

    out.append(
        f"## Gradient time / hand-written gradient time\n\n"
        f"Median of {opts.rounds} interleaved rounds, 1 thread, float64.\n"
    )
    rows = []
    for wl in wls:
        r = results[wl.name]
        t0row = wl.name == "T0"
        row = [wl.title] + [cell(r, k, show_us=t0row) for k in P.RATIO_COLUMNS]
        target = f"<= {RATIO_TARGET[wl.name]:g}" if wl.name in RATIO_TARGET else "—"
        if t0row and "median" in r["hand"]:
            target += f" (hand: {fmt_us(r['hand']['median'])} µs)"
        rows.append([*row, target])
    out.append(
        md_table(["workload"] + [labels[k] for k in P.RATIO_COLUMNS] + ["ast_ad target"], rows)
    )

    out.append("\n## Times per call, µs (median / min over rounds)\n")
    keys = ["f", *GRAD_ENGINES]
    rows = []
    for wl in wls:
        r = results[wl.name]
        row = [wl.title]
        for k in keys:
            e = r[k]
            row.append(
                e["error"] if "error" in e else f"{fmt_us(e['median'])} / {fmt_us(e['min'])}"
            )
        rows.append(row)
    out.append(md_table(["workload"] + [labels[k] for k in keys], rows))

    rows = []
    for wl in wls:
        if wl.name == "T0":
            continue
        r = results[wl.name]
        rows.append(
            [wl.title]
            + [cell(r, k, ref_key="f") for k in GRAD_ENGINES]
            + [f"<= {GRAD_OVER_F_TARGET:g}"]
        )
    if rows:
        out.append("\n## Gradient time / the function's own time\n")
        out.append(md_table(["workload"] + [labels[k] for k in GRAD_ENGINES]
                            + ["ast_ad target"], rows))

    if cold:
        out.append(
            "\n## Transformation time, ms (first call of a fresh gradient in a fresh "
            "process, minus a normal call; median of "
            f"{opts.cold_repeats} process(es))\n"
        )
        rows = []
        for wl in wls:
            row = [wl.title]
            for k in COLD_ENGINES:
                v = cold.get(wl.name, {}).get(k, "skipped")
                row.append(v if isinstance(v, str) else f"{v * 1e3:.1f}")
            t = TRANSFORM_TARGET_MS.get(wl.name)
            row.append(f"<= {t:g}" if t else "—")
            rows.append(row)
        out.append(
            md_table(["workload"] + [labels[k] for k in COLD_ENGINES] + ["ast_ad target"], rows)
        )

    if opts.memory:
        mem_keys = [k for k in GRAD_ENGINES if P.BY_KEY[k].tracks_memory]
        out.append(
            "\n## Peak memory of one gradient call, KiB (tracemalloc: Python objects and "
            "NumPy buffers; jax and torch allocate outside it)\n"
        )
        rows = []
        for wl in wls:
            r = results[wl.name]
            hand_peak = r["hand"].get("peak_bytes")
            row = [wl.title]
            for k in mem_keys:
                e = r[k]
                if "peak_bytes" not in e:
                    row.append("—")
                    continue
                txt = f"{e['peak_bytes'] / 1024:,.1f}"
                if k != "hand" and hand_peak and hand_peak >= 1024:
                    txt += f" ({e['peak_bytes'] / hand_peak:.2f}x)"
                row.append(txt)
            rows.append(row)
        out.append(md_table(["workload"] + [labels[k] for k in mem_keys], rows))
        out.append(f"\nast_ad target: W4 peak <= {MEMORY_TARGET:g}x hand.")

    out.append("\n## Environment\n")
    env = [f"- CPU: {P.cpu_model()} ({os.cpu_count()} logical CPUs visible)"]
    env += [f"- {line}" for line in P.environment_lines()]
    for k in GRAD_ENGINES[1:]:
        v = versions.get(k)
        env.append(f"- {labels[k]}: {v if v else 'unavailable (' + str(status[k]) + ')'}")
    out.append("\n".join(env))
    return "\n".join(out)


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="Gradient benchmarks: ast_ad vs hand-written NumPy vs peers.",
    )
    ap.add_argument(
        "--quick", action="store_true", help="3 rounds of short batches, one cold process per cell"
    )
    ap.add_argument(
        "--workloads",
        default=",".join(W.WORKLOADS),
        help="comma-separated subset, e.g. W1,T0 (default: all)",
    )
    ap.add_argument(
        "--engines",
        default=",".join(P.RATIO_COLUMNS),
        help="comma-separated subset of " + ",".join(P.RATIO_COLUMNS),
    )
    ap.add_argument("--rounds", type=int, default=None, help="interleaved rounds (default 9)")
    ap.add_argument(
        "--batch", type=float, default=None, help="seconds per batch (default 0.05; --quick 0.01)"
    )
    ap.add_argument(
        "--cold-repeats",
        type=int,
        default=None,
        help="fresh processes per transformation-time cell (default 3)",
    )
    ap.add_argument(
        "--call-limit",
        type=float,
        default=60.0,
        help="seconds an engine's first call may take before its cell reads 'not finished' "
        "(default 60; 0: no limit)",
    )
    ap.add_argument("--no-cold", dest="cold", action="store_false", help="skip transformation time")
    ap.add_argument("--no-memory", dest="memory", action="store_false", help="skip peak memory")
    ap.add_argument("--json", metavar="PATH", help="also write all raw numbers here")
    ap.add_argument("--_cold", nargs=2, metavar=("ENGINE", "WORKLOAD"), help=argparse.SUPPRESS)
    opts = ap.parse_args(argv)
    quick = opts.quick
    opts.rounds = opts.rounds or (3 if quick else 9)
    opts.batch = opts.batch or (0.01 if quick else 0.05)
    opts.cold_repeats = opts.cold_repeats or (1 if quick else 3)
    return opts, ap


def main(argv=None) -> int:
    opts, ap = parse_args(argv)
    if opts._cold:
        try:
            res = cold_child(*opts._cold)
        except Exception as exc:  # noqa: BLE001  (reported to the parent as a cell)
            res = {"error": P._short(exc)}
        print(json.dumps(res))
        return 0

    names = [n.strip().upper() for n in opts.workloads.split(",") if n.strip()]
    engines = [e.strip() for e in opts.engines.split(",") if e.strip()]
    bad = [n for n in names if n not in W.WORKLOADS] + [
        e for e in engines if e not in P.RATIO_COLUMNS
    ]
    if bad:
        ap.error(f"unknown workload/engine: {', '.join(bad)}")

    status = {"f": None, "hand": None}
    for k, reason in P.load_engines(engines).items():
        # a peer that is not installed is skipped; anything else that stops an engine
        # (ast_ad not usable yet, a broken install) is a failure, shown in every cell
        status[k] = reason if reason in (None, "not installed") else "failed: " + reason
    for k in P.RATIO_COLUMNS:
        status.setdefault(k, "not selected")
    versions = {k: P.BY_KEY[k].version() for k in P.RATIO_COLUMNS if not status[k]}
    for k in P.RATIO_COLUMNS:
        if status[k] and status[k] != "not selected":
            print(f"note: {P.BY_KEY[k].label} skipped: {status[k]}", file=sys.stderr)

    results, cold = {}, {}
    for n in names:
        t0 = time.perf_counter()
        results[n] = bench_workload(W.WORKLOADS[n], engines, status, opts)
        print(f"[{n}] timed in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    if opts.cold:
        for n in names:
            for k in COLD_ENGINES:
                if status.get(k):
                    cold.setdefault(n, {})[k] = status[k]
                    continue
                t0 = time.perf_counter()
                cold.setdefault(n, {})[k] = cold_measure(k, n, opts.cold_repeats)
                print(
                    f"[{n}] {k} transformation time measured in {time.perf_counter() - t0:.1f} s",
                    file=sys.stderr,
                )

    print(report(results, cold, opts, versions, status))
    if opts.json:
        with open(opts.json, "w") as fh:
            json.dump(
                {
                    "results": results,
                    "transform_s": cold,
                    "versions": versions,
                    "status": status,
                    "rounds": opts.rounds,
                    "batch_s": opts.batch,
                    "environment": P.environment_lines(),
                    "cpu": P.cpu_model(),
                },
                fh,
                indent=1,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
