#!/usr/bin/env python3
"""The Python reference for `benchtrace analyze` (docs/performance.md).

It does what Orion's analyze_logs.py did, the way it did it: a serial
json.load of every log, then the summary blocks sorted by start time and
the statistics. Its output is `benchtrace analyze --log-dir DIR`'s, byte for
byte (stdout, and the notes as warnings on stderr), so that the two are
timed doing the same work:

    python3 bench/tools/pyref/analyze_ref.py DIR > py.txt 2> py.err
    benchtrace analyze --log-dir DIR > go.txt 2> go.err
    cmp py.txt go.txt

Standard library only. It reads logs of benchtrace and of the Orion Python
logger (NaN and all) as `benchtrace analyze` does; it is a reference for
measuring, not a second implementation to maintain: odd logs (values of
unexpected types) may be shown differently.
"""

import json
import math
import os
import re
import sys
from datetime import datetime

BANNER = "=" * 80
RULE = "  " + "─" * 76
ACRONYMS = {"api", "bfv", "bgv", "ckks", "cnn", "cpu", "fhe", "gemm", "gpu", "he",
            "io", "mlp", "mpc", "nn", "rnn", "tfhe", "tpu"}
SUFFIX = re.compile(r"^(.*)_\d{8}_\d{6}(_\d+)?$")


def num(v):
    """A number of the log, or None (json.load gives NaN as None here)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v)


def as_int(v):
    f = num(v)
    if f is None or f != math.trunc(f) or abs(f) >= 2.0**63:
        return None
    return int(f)


def shown(obj, key):
    v = obj.get(key) if isinstance(obj, dict) else None
    if v is None:
        return "N/A"
    if isinstance(v, str):
        return v
    return json.dumps(v, separators=(",", ":"))


def parse_time(s):
    if not isinstance(s, str):
        return None
    try:
        t = datetime.fromisoformat(s)
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.astimezone()
    secs = t.timestamp()
    return (math.floor(secs), t.microsecond)


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    if not data:
        raise ValueError("empty file")
    log = json.loads(data, parse_constant=lambda _: None)
    if not isinstance(log, dict):
        raise ValueError("not a JSON object")
    md = log.get("metadata")
    phases = log.get("phases")
    status = log.get("status") or ""
    if md is None and phases is None and status == "":
        raise ValueError("not a run log: no metadata, phases or status")
    md, model = md or {}, log.get("model") or {}
    results, timing = log.get("results") or {}, log.get("timing") or {}
    phases = phases or {}
    base = os.path.basename(path)
    name = md.get("benchmark_name")
    if not isinstance(name, str) or not name:
        stem = base[:-5] if base.endswith(".json") else base
        m = SUFFIX.match(stem)
        name = m.group(1) if m else stem
    r = {
        "path": path, "base": base, "name": name, "status": status,
        "outcome": {"success": "success", "failed": "failed", "interrupted": "interrupted"}.get(status.lower(), "incomplete"),
        "start": parse_time(md.get("timestamp_start")),
        "started": shown(md, "timestamp_start"),
        "model": shown(model, "name"), "arch": shown(model, "architecture"), "dataset": shown(model, "dataset"),
        "duration": num(timing.get("total_duration_seconds")),
        "main": None, "main_seconds": None,
        "mae": num(results.get("mae")), "has_mae": "mae" in results,
        "precision": num(results.get("precision_bits")),
        "peak": 0, "user": None, "sys": None, "wall": 0.0,
    }
    for key, v in timing.items():
        if key.endswith("_only") and len(key) > 5 and num(v) is not None:
            r["main"], r["main_seconds"] = key[:-5], num(v)
            break
    if r["precision"] is None and r["mae"] == 0:
        r["precision"] = math.inf
    err = log.get("error")
    r["error"] = err.strip().split("\n")[0].strip() if isinstance(err, str) else ""
    user = sys_ = wall = 0.0
    has_cpu = False
    for ph in phases.values():
        if not isinstance(ph, dict):
            continue
        peak = as_int(ph.get("peak_rss_bytes"))
        if peak is not None and peak > r["peak"]:
            r["peak"] = peak
        if "parent" in ph:
            continue
        u, s = num(ph.get("cpu_user_seconds")), num(ph.get("cpu_system_seconds"))
        if u is None and s is None:
            continue
        has_cpu = True
        user += u or 0.0
        sys_ += s or 0.0
        d = num(ph.get("duration_seconds"))
        if d is not None:
            wall += d
    if has_cpu:
        r["user"], r["sys"], r["wall"] = user, sys_, wall
    peak = as_int(timing.get("peak_rss_bytes"))
    if peak is not None and peak > r["peak"]:
        r["peak"] = peak
    u, s = num(timing.get("cpu_user_seconds")), num(timing.get("cpu_system_seconds"))
    if u is not None or s is not None:
        d = r["duration"]
        r["user"], r["sys"] = u or 0.0, s or 0.0
        r["wall"] = d if d is not None and math.isfinite(d) else 0.0
    return r


def finite(x):
    return x is not None and math.isfinite(x)


def secs(x):
    return "%.2fs" % x if finite(x) else "N/A"


def secs_min(x):
    return "%.2fs (%.2fm)" % (x, x / 60) if finite(x) else "N/A"


def human_duration(s):
    if not finite(s):
        return "-"
    neg = ""
    if s < 0:
        neg, s = "-", -s
    if s == 0:
        return "0s"
    p = math.pow(10, 3 - math.ceil(math.log10(s)))
    r = math.floor(s * p + 0.5) / p
    scale, unit = 1.0, "s"
    if r >= 1:
        pass
    elif r >= 1e-3:
        scale, unit = 1e3, "ms"
    elif r >= 1e-6:
        scale, unit = 1e6, "µs"
    else:
        scale, unit = 1e9, "ns"
    decimals = 0 if r * scale >= 100 else 1 if r * scale >= 10 else 2
    return "%s%.*f%s" % (neg, decimals, s * scale, unit)


def human_bytes(n):
    if not finite(n):
        return "-"
    neg = ""
    if n < 0:
        neg, n = "-", -n
    if n < 1024:
        return "%s%.0f B" % (neg, n)
    units = ["KiB", "MiB", "GiB", "TiB", "PiB"]
    i = 0
    n /= 1024
    while n >= 1024 and i < len(units) - 1:
        n /= 1024
        i += 1
    return "%s%.1f %s" % (neg, n, units[i])


def percent(f):
    return "%.1f%%" % (100 * f) if finite(f) else "-"


def words(phase):
    out = [w for w in re.split(r"[_\-. /]", phase) if w]
    return [w.upper() if w.lower() in ACRONYMS else w for w in out]


def main_label(phase):
    if phase == "fhe_inference":
        return "FHE Time"
    ws = [w if w == w.upper() else w[0].upper() + w[1:] for w in words(phase)]
    return " ".join(ws + ["Time"])


def main_total_label(phase):
    if phase == "":
        return "Total main-phase time"
    if phase == "fhe_inference":
        return "Total FHE time"
    return "Total " + " ".join(words(phase)) + " time"


def fmt_mae(v):
    if v is None:
        return "N/A"
    if v != 0 and abs(v) < 1e-4:
        return "%.3e" % v
    return "%.6f" % v


def fmt_precision(b):
    if b == math.inf:
        return "exact"
    if b is None or b == -math.inf:
        return "N/A"
    return "%.2f bits" % b


def line(out, width, label, value):
    out.append("  " + (label + ":").ljust(width) + value + "\n")


def cpu_seconds(r):
    if r["user"] is None:
        return None
    return r["user"] + r["sys"]


def summarize(xs):
    v = sorted(xs)
    n = len(v)
    if n == 0:
        return None
    med = v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
    total = 0.0
    for x in v:
        total += x
    mean = total / n
    sd = cv = math.nan
    if n >= 2:
        ss = 0.0
        for x in v:
            d = x - mean
            ss += d * d
        sd = math.sqrt(ss / (n - 1))
        if mean != 0:
            cv = sd / mean
    return n, mean, sd, v[0], med, v[-1], cv


def main(argv):
    directory = argv[1] if len(argv) > 1 else "logs"
    names = sorted(e.name for e in os.scandir(directory)
                   if not e.is_dir() and not e.name.startswith(".") and e.name.endswith(".json"))
    runs = []
    for n in names:
        path = os.path.join(directory, n)
        try:
            runs.append(load(path))
        except (OSError, ValueError) as e:
            sys.stderr.write("warning: skipping %s: %s\n" % (path, e))
    runs.sort(key=lambda r: (r["start"] is None, r["start"] or (0, 0), r["base"], r["path"]))

    out = []
    out.append("%s\nBENCHMARK SUMMARY - %d log(s)\n%s\n\n" % (BANNER, len(runs), BANNER))
    width = 13
    for r in runs:
        if r["main"]:
            width = max(width, len(main_label(r["main"]).encode()) + 2)
    for r in runs:
        oc = r["outcome"]
        mark = {"success": "✓", "failed": "✗", "interrupted": "⚠"}.get(oc, "…")
        out.append("%s %s\n%s\n" % (mark, r["name"].upper(), RULE))
        line(out, width, "Model", "%s (%s)" % (r["model"], r["arch"]))
        line(out, width, "Dataset", r["dataset"])
        if oc != "incomplete" or r["status"].lower() == "incomplete":
            status = oc.upper()
        elif r["status"] == "":
            status = "INCOMPLETE (no status)"
        else:
            status = "INCOMPLETE (%s)" % r["status"]
        line(out, width, "Status", status)
        line(out, width, "Started", r["started"])
        if oc == "success" or finite(r["duration"]):
            line(out, width, "Duration", secs_min(r["duration"]))
        if r["main"]:
            line(out, width, main_label(r["main"]), secs(r["main_seconds"]))
        if oc == "success" or r["has_mae"]:
            line(out, width, "MAE", fmt_mae(r["mae"]))
            line(out, width, "Precision", fmt_precision(r["precision"]))
        if r["peak"] > 0:
            line(out, width, "Peak RSS", human_bytes(r["peak"]))
        cpu = cpu_seconds(r)
        if finite(cpu):
            line(out, width, "CPU Time", "%s (user %s, sys %s)" % (secs(cpu), secs(r["user"]), secs(r["sys"])))
            if r["wall"] > 0 and finite(cpu / r["wall"]):
                line(out, width, "CPU Util", percent(cpu / r["wall"]) + " of one core")
        if oc in ("failed", "interrupted"):
            line(out, width, "Error", r["error"] or "Unknown error")
        out.append("\n")

    ok = [r for r in runs if r["outcome"] == "success"]
    count = {k: sum(1 for r in runs if r["outcome"] == k) for k in ("success", "failed", "interrupted", "incomplete")}
    total = main_total = cpu_total = 0.0
    main_phase, same_main, has_main, has_cpu, peak = None, True, False, False, 0
    for r in ok:
        if finite(r["duration"]):
            total += r["duration"]
        if r["main"] and finite(r["main_seconds"]):
            if not has_main:
                main_phase = r["main"]
            same_main = same_main and r["main"] == main_phase
            has_main = True
            main_total += r["main_seconds"]
        c = cpu_seconds(r)
        if finite(c):
            has_cpu = True
            cpu_total += c
        peak = max(peak, r["peak"])
    label_main = main_total_label(main_phase if same_main else "")
    sw = 22
    if has_main:
        sw = max(sw, len(label_main.encode()) + 2)
    out.append("%s\nSTATISTICS\n%s\n" % (BANNER, BANNER))
    line(out, sw, "Total benchmarks", str(len(runs)))
    line(out, sw, "Successful", str(count["success"]))
    line(out, sw, "Failed", str(count["failed"]))
    if count["interrupted"]:
        line(out, sw, "Interrupted", str(count["interrupted"]))
    if count["incomplete"]:
        line(out, sw, "Incomplete/running", str(count["incomplete"]))
    if ok:
        line(out, sw, "Total time", secs_min(total))
        if has_main:
            line(out, sw, label_main, secs_min(main_total))
        line(out, sw, "Avg time/benchmark", secs(total / len(ok)))
        if has_cpu:
            line(out, sw, "Total CPU time", secs_min(cpu_total))
        if peak > 0:
            line(out, sw, "Max peak RSS", human_bytes(peak))
    out.append("\n")

    order, by_name = [], {}
    for r in runs:
        if r["name"] not in by_name:
            by_name[r["name"]] = []
            order.append(r["name"])
        by_name[r["name"]].append(r)
    shown_stats = []
    for name in order:
        durations = [r["duration"] for r in by_name[name] if r["outcome"] == "success" and finite(r["duration"])]
        s = summarize(durations)
        if s and s[0] >= 2:
            shown_stats.append((name, len(by_name[name]), s))
    if shown_stats:
        w = max([len("Benchmark")] + [len(n) for n, _, _ in shown_stats])
        out.append("%s\nPER-BENCHMARK STATISTICS - duration of successful runs\n%s\n" % (BANNER, BANNER))
        row = "  %-*s %5s %4s %8s %8s %8s %8s %8s %7s\n"
        out.append(row % (w, "Benchmark", "Runs", "n", "Mean", "Stddev", "Min", "Median", "Max", "CV"))
        notes = []
        for name, runs_n, (n, mean, sd, lo, med, hi, cv) in shown_stats:
            out.append(row % (w, name, runs_n, n, human_duration(mean), human_duration(sd), human_duration(lo),
                              human_duration(med), human_duration(hi), percent(cv)))
            if n < 3:
                notes.append("%s: only %d successful runs: too few to judge the spread (want at least 3)" % (name, n))
            if finite(cv) and cv > 0.10:
                notes.append("%s: high variance: CV %.1f%% > 10%%; the runs may not be comparable (load, frequency scaling?)" % (name, 100 * cv))
        out.append("\n  Assumptions: successful runs only; stddev is the sample standard\n")
        out.append("  deviation (n-1); CV = stddev/mean; no outliers removed.\n")
        for n in notes:
            sys.stderr.write("warning: %s\n" % n)
        out.append("\n")
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main(sys.argv)
