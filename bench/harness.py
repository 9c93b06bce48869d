#!/usr/bin/python3
"""pixeldrill benchmark harness (run it through bench/run.sh).

Generates/caches synthetic collections with `pixeldrill synth`, asks every
contender the same questions, checks each answer against pixeldrill's
reference answer BEFORE timing it (a mismatch is FAILED and the exit status
is 1), then times warm and cold runs and measures the physical limits.
Results: OUT/results.json, OUT/results.csv, OUT/report.md, OUT/benchmarks.png
(and docs/benchmarks.md + docs/benchmarks.png for --quick/full runs).
"""
import argparse
import datetime as dt
import glob
import importlib
import json
import os
import shlex
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import answers  # noqa: E402
import contenders  # noqa: E402
import limits  # noqa: E402
import machine  # noqa: E402
import report  # noqa: E402
from measure import GNU_TIME, CacheEvictor, run_measured, summarise  # noqa: E402
from questions import COLLECTIONS, ensure_collection, for_product, make_questions  # noqa: E402

REPO = os.path.dirname(HERE)
T0 = time.time()


def log(msg):
    print(f"[bench {time.time() - T0:7.1f}s] {msg}", file=sys.stderr, flush=True)


def parse_args(argv):
    p = argparse.ArgumentParser(prog="bench/run.sh", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    size = p.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small collections (~1-2 min)")
    size.add_argument("--smoke", action="store_true", help="tiny end-to-end check (< 60 s)")
    p.add_argument("--out", help="results folder (default bench/results/MODE-STAMP)")
    p.add_argument("--cache", help="collection cache (default bench/cache; --smoke: OUT/cache)")
    p.add_argument("--pixeldrill", help="pixeldrill binary (default $PIXELDRILL_BIN or build/)")
    p.add_argument("--contenders", help="comma list (default: all; --smoke: the fast ones)")
    p.add_argument("--questions", help="comma list of question names (default: all)")
    p.add_argument("--runs", type=int, help="timed warm runs (default 3, 5 if a run < 1 s; "
                   "--quick: 1, 3 if < 1 s; 0 = time the validation run only); cold runs: "
                   "up to 3 (--quick 1)")
    p.add_argument("--cold-method", default=None,
                   choices=["auto", "drop_caches", "fadvise", "none"],
                   help="how to make cold runs (default auto; --smoke: none)")
    p.add_argument("--slow", type=float, help="a validation run longer than this many seconds "
                   "is the only timed run (default 40; --quick 10)")
    p.add_argument("--cell-budget", type=float, help="seconds one contender x question may "
                   "spend on timed runs after validation (default 30; --quick 15)")
    p.add_argument("--skip-after", type=float, help="skip a (non-pixeldrill) contender on a "
                   "question when its seconds per file on an earlier question project more "
                   "than this (default 150; --quick 60; reported as skipped)")
    p.add_argument("--collections", help="comma list of collection names of the mode")
    p.add_argument("--product", default="l3s-1d-night",
                   help="the `pixeldrill synth --product` the collections imitate (default "
                        "l3s-1d-night; e.g. l3c-4h-himawari: six files a day)")
    p.add_argument("--merge", help="results.json of an earlier run of the same mode: its "
                   "cells (collection x question x contender) that this run does not measure "
                   "are carried into this run's report")
    p.add_argument("--max-minutes", type=float, help="after this, only pixeldrill's own "
                   "paths still run; other cells are reported as skipped (default: no limit)")
    p.add_argument("--timeout", type=float, help="per-run timeout in seconds (default 3600)")
    p.add_argument("--perturb", default=os.environ.get("PIXELDRILL_BENCH_PERTURB"),
                   help="add 1 to one value of this contender's answers (tests the check)")
    p.add_argument("--no-docs", action="store_true", help="do not update docs/benchmarks.*")
    p.add_argument("--render", metavar="RESULTS_JSON", help="only re-write the report, chart "
                   "(and docs unless --no-docs) from an earlier run's results.json")
    p.add_argument("--keep-work", action="store_true", help="keep OUT/work (raw outputs)")
    return p.parse_args(argv)


def load_plugins():
    """bench/index_*.py and bench/store_*.py register their own contenders."""
    for path in sorted(glob.glob(os.path.join(HERE, "index_*.py")) +
                       glob.glob(os.path.join(HERE, "store_*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        try:
            importlib.import_module(name)
        except Exception as e:  # a broken plugin must not stop the others
            log(f"plugin {name} failed to load: {e}")


def snapshot_binaries(src, dst):
    """Copies pixeldrill and the bench tools (mtime kept), so that a rebuild
    during a long run neither breaks it nor mixes two versions."""
    os.makedirs(dst, exist_ok=True)
    required = ["pixeldrill", "nc_loop_drill", "inflate_limit"]
    extra = [n for n in os.listdir(src) if n.startswith(("index_", "store_"))]
    for name in required + extra:
        path = os.path.join(src, name)
        for _ in range(20 if name in required else 1):  # wait out a relink in progress
            try:
                if os.path.isfile(path) and os.access(path, os.X_OK):
                    shutil.copy2(path, os.path.join(dst, name))
                    break
            except OSError:
                pass
            time.sleep(3)
    return dst


def display_argv(argv, files):
    """The command as a user would type it, with the file list abbreviated."""
    fs = set(files)
    out, skipping = [], False
    for i, a in enumerate(argv):
        if i == 0 and "/work/bin/" in a:
            a = os.path.basename(a)  # the run's snapshot of the binary
        if a in fs:
            if not skipping:
                out.append(f"<{len(files)} files>")
            skipping = True
            continue
        skipping = False
        out.append(a)
    return shlex.join(out)


class Bench:
    def __init__(self, args, mode):
        self.args, self.mode = args, mode
        self.records, self.prepare_info, self.limit_info = [], [], {}
        self.failed = False
        self.sec_per_file = {}  # (contender, collection) -> validation seconds per file

    def over_budget(self):
        return self.args.max_minutes is not None and time.time() - T0 > 60 * self.args.max_minutes

    def cell(self, ctx, c, coll, q, ref, evictor):
        rec = {"collection": coll.spec.name, "question": q.name, "contender": c.name,
               "status": "ok", "reason": ""}
        reason = (c.available(ctx) or ctx.unavailable.get((c.name, coll.spec.name))
                  or c.cannot(q))
        if not reason and self.over_budget() and not c.essential:
            reason = (f"the run's time budget (--max-minutes "
                      f"{self.args.max_minutes:g}) was used up")
            rec["status"] = "skipped"
        spf = self.sec_per_file.get((c.name, coll.spec.name))
        if (not reason and spf and c.per_file and not c.essential
                and spf * len(q.files) > self.skip_after):
            reason = (f"projected {spf * len(q.files):.0f} s ({spf:.2f} s/file measured "
                      f"on a smaller question x {len(q.files)} files) > --skip-after "
                      f"{self.skip_after:.0f} s")
            rec["status"] = "skipped"
        if reason and rec["status"] == "skipped":
            rec["reason"] = reason
            return rec, None
        if reason:
            rec.update(status="unavailable", reason=reason)
            return rec, None
        out = os.path.join(ctx.workdir, f"{coll.spec.name}-{q.name}-{c.name}")
        try:
            inv = c.command(ctx, coll, q, out)
        except Exception as e:
            rec.update(status="error", reason=f"cannot build its command: {e}")
            return rec, None
        rec["command"] = display_argv(inv.argv, q.files)
        first = run_measured(inv.argv, out + ".stdout", self.timeout, inv.env)
        self.sec_per_file[(c.name, coll.spec.name)] = first.wall / max(1, len(q.files))
        if first.timed_out:
            rec.update(status="timeout", reason=f"no answer within {self.timeout:.0f} s")
            return rec, None
        if first.rc != 0:
            rec.update(status="error", reason=f"exit {first.rc}: {first.stderr_tail.strip()[-300:]}")
            return rec, None
        try:
            ans = inv.parse(inv.output)
        except Exception as e:
            rec.update(status="error", reason=f"output unreadable: {e}")
            return rec, None
        if self.args.perturb == c.name:
            ans = answers.perturb(ans)
            rec["perturbed"] = True
        if ref is None:
            rec["check"] = dict(answers.compare(ans, ans, coll.spec.vars), reference=True)
        else:
            cmp = answers.compare(ref, ans, coll.spec.vars)
            rec["check"] = cmp
            if not cmp["match"]:
                rec.update(status="FAILED", reason=answers.describe_diff(cmp))
                self.failed = True
                return rec, ans
        rec.update(self.timings(ctx, c, coll, inv, first, evictor, out))
        return rec, ans

    def plan_runs(self, v):
        """(warm, cold) run counts after a validation run of v seconds: the
        defaults, cut so that one cell stays within --cell-budget seconds."""
        if self.args.runs == 0 or v > self.slow:
            return 0, 0
        full = self.mode == "full"
        warm = self.args.runs or ((5 if v < 1 else 3) if full else (3 if v < 1 else 1))
        cold = 0 if self.evictor.method == "none" else min(3 if full else 1, warm)
        total = max(2, int(self.cell_budget // max(v, 1e-3)))
        if warm + cold > total:
            cold = min(cold, total // 2)
            warm = max(1, total - cold)
        return warm, cold

    def timings(self, ctx, c, coll, inv, first, evictor, out):
        stdout = out + ".stdout"  # also the output file of tools that print their answer
        n_warm, n_cold = self.plan_runs(first.wall)
        res = {}
        if n_warm == 0:
            warm = [first]
            res["note"] = "validation run only" + (f" (slower than --slow {self.slow:.0f} s)"
                                                   if first.wall > self.slow else "")
        else:
            warm = [run_measured(inv.argv, stdout, self.timeout, inv.env) for _ in range(n_warm)]
        cold = []
        paths = [coll.root] + list(c.data_paths(ctx, coll))
        for _ in range(n_cold):
            evictor.evict(paths)
            cold.append(run_measured(inv.argv, stdout, self.timeout, inv.env))
        bad = [r for r in warm + cold if r.rc != 0 or r.timed_out]
        if bad:
            res.update(status="error", reason=f"a timed run failed: exit {bad[0].rc} "
                                              f"{bad[0].stderr_tail.strip()[-200:]}")
        res["warm"], res["cold"] = summarise(warm), summarise(cold)
        res["first_run_wall"] = first.wall
        return res

    def run(self, ctx, chosen, evictor, question_filter):
        for spec in self.specs:
            coll = ensure_collection(spec, ctx.cache, ctx.pixeldrill, log)
            log(f"{spec.name}: {len(coll.files)} files, {coll.bytes / 1e6:.1f} MB, grid "
                f"{coll.lat.size}x{coll.lon.size}")
            # The cheap month question first: its seconds per file project the cost
            # of the whole-range questions (see --skip-after).
            qs = [q for q in make_questions(coll, ctx.workdir)
                  if not question_filter or q.name in question_filter]
            qs.sort(key=lambda q: len(q.files))
            for c in chosen:
                if c.prepare and not c.available(ctx):
                    log(f"{spec.name}: preparing {c.name}")
                    try:
                        info = c.prepare(ctx, coll)
                        ctx.prepared.setdefault(c.name, {})[spec.name] = info
                        if not any(p["collection"] == spec.name and p.get("source") ==
                                   info.get("source") for p in self.prepare_info):
                            self.prepare_info.append({"collection": spec.name,
                                                      "contender": c.name, **info})
                    except Exception as e:
                        ctx.unavailable[(c.name, spec.name)] = f"preparation failed: {e}"
            for q in qs:
                log(f"{spec.name} / {q.name}: {q.describe()} ({len(q.files)} files)")
                lim = limits.inflate_limit(ctx, coll, q, self.timeout)
                self.limit_info[f"{spec.name}/{q.name}"] = lim
                ref, ref_name = None, None
                for c in chosen:
                    try:
                        rec, ans = self.cell(ctx, c, coll, q, ref, evictor)
                    except Exception as e:  # one broken contender must not lose the rest
                        rec, ans = {"collection": spec.name, "question": q.name,
                                    "contender": c.name, "status": "error",
                                    "reason": f"harness error: {e!r}"}, None
                    rec["question_text"] = q.describe()
                    rec["n_files"] = len(q.files)
                    if ref is None and ans is not None and rec["status"] == "ok":
                        ref, ref_name = ans, c.name
                    rec["reference"] = ref_name
                    self.records.append(rec)
                    w = rec.get("warm")
                    log(f"  {c.name}: {rec['status']} "
                        + (f"warm median {w['wall_median']:.3f} s" if w else rec["reason"][:160]))
                if ref is None:
                    log(f"  no contender answered {q.name}: nothing to check against")
                    self.failed = True


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    if args.render:
        with open(args.render) as f:
            data = json.load(f)
        out = os.path.dirname(os.path.abspath(args.render))
        report.sort_results(data, list(contenders.REGISTRY))
        for c in data["collections"]:
            spec = next((s for s in COLLECTIONS.get(data["mode"], []) if s.name == c["name"]),
                        None)
            if spec:
                c["synth_command"] = (f"pixeldrill synth bench/cache/{spec.name}/data "
                                      + " ".join(spec.synth_args()))
        report.add_ratios(data)
        report.write_all(data, out)
        if data["mode"] != "smoke" and not args.no_docs:
            report.update_docs(data, out, os.path.join(REPO, "docs"))
        return 0
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    if mode == "smoke" and args.runs is None:
        args.runs = 0  # the validation run is the one timed run
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%MZ")
    out = os.path.abspath(args.out or os.path.join(HERE, "results", f"{mode}-{stamp}"))
    cache = os.path.abspath(args.cache or (os.path.join(out, "cache") if mode == "smoke"
                                           else os.path.join(HERE, "cache")))
    pixeldrill = os.path.abspath(args.pixeldrill or os.environ.get("PIXELDRILL_BIN")
                                 or os.path.join(REPO, "build", "pixeldrill"))
    workdir = os.path.join(out, "work")
    for d in (out, cache, workdir):
        os.makedirs(d, exist_ok=True)
    load_plugins()
    bin_dir = snapshot_binaries(os.path.dirname(pixeldrill), os.path.join(workdir, "bin"))
    ctx = contenders.Ctx(os.path.join(bin_dir, os.path.basename(pixeldrill)), bin_dir, cache,
                         workdir)
    ctx.unavailable = {}
    names = (args.contenders.split(",") if args.contenders else
             [n for n, c in contenders.REGISTRY.items() if c.in_smoke or mode != "smoke"])
    unknown = [n for n in names if n not in contenders.REGISTRY]
    if unknown:
        print(f"unknown contender(s) {unknown}; known: {list(contenders.REGISTRY)}",
              file=sys.stderr)
        return 2
    # pixeldrill's netCDF-C path answers first: it is the reference.
    names.sort(key=lambda n: n != "pixeldrill")
    chosen = [contenders.REGISTRY[n] for n in names]
    evictor = CacheEvictor(args.cold_method or ("none" if mode == "smoke" else "auto"))
    bench = Bench(args, mode)
    bench.timeout = args.timeout or 3600
    bench.slow = args.slow or (40 if mode == "full" else 10)
    bench.cell_budget = args.cell_budget or (30 if mode == "full" else 15)
    bench.skip_after = args.skip_after or (150 if mode == "full" else 60)
    bench.specs = [s for s in for_product(COLLECTIONS[mode], args.product)
                   if not args.collections or s.name in args.collections.split(",")]
    if not bench.specs:
        print(f"no collection of mode {mode} matches --collections {args.collections}",
              file=sys.stderr)
        return 2
    bench.evictor = evictor
    log(f"mode {mode}, out {out}, cache {cache}, {evictor.label()}")
    disk = None
    if evictor.method != "none":
        disk = limits.disk_bandwidth(cache, 2048 if mode == "full" else 512, evictor, log)
        log(f"disk: {disk['MBps_median']:.0f} MB/s sequential read (cold)")
    qfilter = set(args.questions.split(",")) if args.questions else None
    bench.run(ctx, chosen, evictor, qfilter)
    data = {
        "date_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "mode": mode, "machine": machine.describe(cache), "cold_method": evictor.method,
        "cold_label": evictor.label(), "disk": disk, "harness_seconds": time.time() - T0,
        "command": "bench/run.sh " + " ".join(shlex.quote(a) for a in
                                              (argv if argv is not None else sys.argv[1:])),
        "tolerance": {"rtol": answers.RTOL, "atol": answers.ATOL},
        "rss_method": ("GNU /usr/bin/time %M of the contender's process tree"
                       if os.access(GNU_TIME, os.X_OK) else
                       "os.wait4 ru_maxrss (upper bound: includes the harness's fork)"),
        "contenders": {c.name: c.description for c in chosen},
        "collections": report.collection_rows(cache, bench.specs),
        "prepare": bench.prepare_info, "limits": bench.limit_info, "results": bench.records,
        "failed": bench.failed,
    }
    if args.merge:
        report.merge(data, args.merge)
    report.sort_results(data, list(contenders.REGISTRY))
    report.add_ratios(data)
    report.write_all(data, out)
    if mode != "smoke" and not args.no_docs:
        report.update_docs(data, out, os.path.join(REPO, "docs"))
    if not args.keep_work:
        shutil.rmtree(workdir, ignore_errors=True)
    log(f"done: {out}/results.json" + (" — FAILED: some contender disagreed or nothing answered"
                                       if bench.failed else ""))
    return 1 if bench.failed or data["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
