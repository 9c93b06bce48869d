#!/usr/bin/python3
"""Issue #9's table, every row in one run, side by side with xarray on the same store.

  /usr/bin/python3 bench/millisecond.py [--cache DIR] [--runs N] [--points N] [--years N]

Generates (once, cached like bench/run.sh's collections: CACHE/millisecond-30y/
complete.json records the synth arguments and how long it took) a 30-year
collection with `synth --decimate 30 --vars sea_surface_temperature,quality_level`,
its chunk index and its store (default chunks), then measures:

  - `pixeldrill drill STORE --point` over 30 years, whole process: wall and CPU
  - the same in process (bench tool store_drill_latency: open + drill)
  - `pixeldrill --version` (the process floor)
  - a 100,000-file index (the collection's entries replicated, bench tool index_open_bench):
    open, and open + one-day drill, in process
  - a one-day drill through the index, whole process, and over the floor
  - 200 random points, one process each, from the store: p50 / p99
  - xarray (Debian's /usr/bin/python3): open_zarr + sel(nearest) + load of the same
    point, whole process and in process; ratios against pixeldrill
Medians of --runs runs, warm page cache. Prints a Markdown table.
"""
import argparse
import datetime as dt
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
def synth_args(years):
    """The collection: `years` years ending 2021-12-31 (30 by default; fewer when the
    30-year cache, ~24 min to make, is absent and time is short)."""
    return ["--from", f"{2022 - years}-01-01", "--to", "2021-12-31", "--decimate", "30",
            "--vars", "sea_surface_temperature,quality_level", "-q"]
POINT = "-32.01,114.99"

XARRAY_POINT = r"""
import sys, time
t0 = time.perf_counter()
import xarray as xr
t1 = time.perf_counter()
ds = xr.open_zarr(sys.argv[1])
p = ds[["sea_surface_temperature", "quality_level"]].sel(
    lat=float(sys.argv[2]), lon=float(sys.argv[3]), method="nearest").load()
t2 = time.perf_counter()
print(len(p.time), (t1 - t0) * 1000, (t2 - t1) * 1000)
"""


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr[-600:]}")
    return r


def timed(cmd):
    """(wall ms, CPU ms user+sys) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = (time.perf_counter() - t0) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr[-600:]}")
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


def median_of(cmd, n):
    samples = [timed(cmd) for _ in range(n)]
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def ensure(cache, pixeldrill, years):
    """The collection, its index and its store, each made once (marker: complete.json)."""
    SYNTH_ARGS = synth_args(years)
    base = os.path.join(cache, f"millisecond-{years}y")
    data, pdx, store = (os.path.join(base, x) for x in ("data", "c.pdx", "c.zarr"))
    marker = os.path.join(base, "complete.json")
    have = json.load(open(marker)) if os.path.exists(marker) else {}
    if have.get("synth_args") != SYNTH_ARGS:
        subprocess.run(["rm", "-rf", base], check=True)
        os.makedirs(base)
        have = {"synth_args": SYNTH_ARGS, "seconds": {}}
    steps = (("synth", data, [pixeldrill, "synth", data] + SYNTH_ARGS),
             ("convert", store, [pixeldrill, "convert", data, "-o", store]),
             ("index", pdx, [pixeldrill, "index", data, "-o", pdx]))
    for name, out, cmd in steps:
        if name in have["seconds"] and os.path.exists(out) and name != "index":
            continue
        # The index is refreshed every run: its format may have changed since.
        log(f"generating: {' '.join(cmd)}")
        t0 = dt.datetime.now()
        run(cmd)
        if name not in have["seconds"]:
            have["seconds"][name] = round((dt.datetime.now() - t0).total_seconds(), 1)
        with open(marker + ".tmp", "w") as f:
            json.dump(have, f)
        os.replace(marker + ".tmp", marker)
    return data, pdx, store, have["seconds"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cache", default=os.path.join(HERE, "cache"))
    p.add_argument("--bin", default=os.path.join(REPO, "build"))
    p.add_argument("--runs", type=int, default=11)
    p.add_argument("--points", type=int, default=200)
    p.add_argument("--years", type=int, default=30, help="collection length (ends 2021-12-31)")
    p.add_argument("--prepare-only", action="store_true", help="make the collection and stop")
    a = p.parse_args()
    pixeldrill = os.path.join(a.bin, "pixeldrill")
    data, pdx, store, made = ensure(os.path.abspath(a.cache), pixeldrill, a.years)
    if a.prepare_only:
        return
    log(f"collection made in {made} s")
    lat, lon = POINT.split(",")
    rows = []

    ver_wall, ver_cpu = median_of([pixeldrill, "--version"], a.runs)
    drill = [pixeldrill, "drill", store, "--point", POINT]
    run(drill)  # warm
    st_wall, st_cpu = median_of(drill, a.runs)
    lat_out = run([os.path.join(a.bin, "store_drill_latency"), store, lat, lon, str(a.runs)]).stdout
    in_proc = float(lat_out.split("median ")[1].split(" ms")[0])
    day = [pixeldrill, "drill", pdx, "--point", POINT, "--from", "2021-06-01", "--to", "2021-06-01"]
    run(day)
    ix_wall, ix_cpu = median_of(day, a.runs)

    big = run([os.path.join(a.bin, "index_open_bench"), pdx, "100000", lat, lon, "2021-06-01",
               str(a.runs)]).stdout.strip()
    log(big)
    big_open = float(big.split("open median ")[1].split(" ms")[0])
    big_query = float(big.split("one-day drill median ")[1].split(" ms")[0])

    rng = random.Random(9)
    walls = []
    for _ in range(a.points):
        pt = f"{rng.uniform(-69.9, 19.9):.3f},{rng.uniform(70.1, 189.9):.3f}"
        walls.append(timed([pixeldrill, "drill", store, "--point", pt])[0])
    walls.sort()
    p50 = walls[len(walls) // 2]
    p99 = walls[min(len(walls) - 1, int(len(walls) * 0.99))]

    xr_cmd = ["/usr/bin/python3", "-c", XARRAY_POINT, store, lat, lon]
    xr_runs = [timed(xr_cmd) for _ in range(max(3, a.runs // 3))]
    xr_wall = statistics.median(r[0] for r in xr_runs)
    xr_in = statistics.median(
        float(run(xr_cmd).stdout.split()[2]) for _ in range(3))

    rows = [
        (f"`pixeldrill drill STORE --point` {a.years} years, whole process",
         f"{st_wall:.1f} ms wall, {st_cpu:.1f} ms CPU", "<= 30 ms wall"),
        ("same, in process (`store_drill_latency`, open + drill)", f"{in_proc:.2f} ms", "<= 5 ms"),
        ("`pixeldrill --version` (process floor)", f"{ver_wall:.1f} ms wall, {ver_cpu:.1f} ms CPU",
         "<= 10 ms"),
        ("one-day drill through the index (whole process; over the floor)",
         f"{ix_wall:.1f} ms wall ({ix_wall - ver_wall:+.1f}), {ix_cpu:.1f} ms CPU "
         f"({ix_cpu - ver_cpu:+.1f})", "<= 10 ms over the floor"),
        ("100,000-file index (entries replicated from it): open; open + one-day drill, in process",
         f"{big_open:.1f} ms; {big_query:.1f} ms", "<= 10 ms"),
        (f"{a.points} random points, one process each, store: p50 / p99",
         f"{p50:.1f} / {p99:.1f} ms", "<= 25 / 40 ms"),
        ("xarray `open_zarr` + `sel` + load, same point: whole process / pixeldrill",
         f"{xr_wall:.0f} ms = {xr_wall / st_wall:.0f}x", ">= 100x"),
        ("xarray in process (after imports) / pixeldrill in process",
         f"{xr_in:.1f} ms = {xr_in / in_proc:.0f}x", ""),
    ]
    n_files = sum(len(f) for _, _, f in os.walk(data))
    print(f"\n{a.years}-year collection: {n_files} files, `synth {' '.join(synth_args(a.years))}` "
          f"(made in {made.get('synth', '?')} s; index {made.get('index', '?')} s, convert "
          f"{made.get('convert', '?')} s); point {POINT}; medians of {a.runs} runs, warm cache; "
          f"load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print("| what | measured | goal |\n|---|---|---|")
    for what, got, goal in rows:
        print(f"| {what} | {got} | {goal} |")


if __name__ == "__main__":
    main()
