#!/usr/bin/env python3
"""Conversion and drill measurements of pixeldrill's Zarr store (issue 5).

usage: /usr/bin/python3 bench/store_convert_bench.py --collection DIR --work DIR
           [--layouts default,64cube,aodn] [--mode exact] [--max-mem 2G] [--point LAT,LON]

For each chunk layout: `pixeldrill convert` under /usr/bin/time -v (wall, days/s, MB/s of
decoded values, peak RSS, store size vs source size), then a point drill over the whole
range from the store with pixeldrill (median of 5 runs, process start included) and with
xarray (`xr.open_zarr` + `.sel(method="nearest")`, bench/xarray_drill.py, median of 3).
Prints a markdown table (docs/store.md) and writes WORK/store_bench.json.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LAYOUTS = {"default": None, "64cube": "64,64,64", "aodn": "5,500,500", "128": "128,64,64"}


def du(path):
    return sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(path) for n in ns)


def timed(argv, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--collection", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--layouts", default="default,64cube,aodn")
    p.add_argument("--mode", default="exact")
    p.add_argument("--max-mem", default="2G")
    p.add_argument("--point", default="-32.0,114.0")
    p.add_argument("--pixeldrill", default=os.path.join(os.path.dirname(HERE), "build",
                                                         "pixeldrill"))
    p.add_argument("--no-xarray", action="store_true")
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    source_bytes = du(a.collection)
    rows = []
    for layout in a.layouts.split(","):
        store = os.path.join(a.work, f"store-{layout}.zarr")
        shutil.rmtree(store, ignore_errors=True)
        argv = ["/usr/bin/time", "-v", a.pixeldrill, "convert", a.collection, "-o", store,
                "--mode", a.mode, "--max-mem", a.max_mem]
        if LAYOUTS[layout]:
            argv += ["--chunks", LAYOUTS[layout]]
        t0 = time.perf_counter()
        r = subprocess.run(argv, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if r.returncode != 0:
            raise SystemExit(f"convert failed: {r.stderr[-800:]}")
        rss_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1))
        m = re.search(r"added (\d+) time steps.*?([\d.]+) steps/s, ([\d.]+) MB/s", r.stdout)
        steps, days_s, mb_s = int(m.group(1)), float(m.group(2)), float(m.group(3))
        drill = [a.pixeldrill, "drill", store, "--point", a.point, "-o", os.devnull]
        pd_s = timed(drill, 5)
        row = {"layout": layout, "chunks": LAYOUTS[layout] or "365,64,64 (default)",
               "mode": a.mode, "steps": steps, "convert_s": wall, "days_per_s": days_s,
               "mb_per_s": mb_s, "peak_rss_mib": rss_kib / 1024, "store_mb": du(store) / 1e6,
               "source_mb": source_bytes / 1e6, "drill_point_s": pd_s}
        if not a.no_xarray:
            xa = ["/usr/bin/python3", os.path.join(HERE, "xarray_drill.py"), "--vars",
                  "sea_surface_temperature,quality_level", "--zarr", store,
                  f"--point={a.point}", "--out", os.path.join(a.work, "xarray.csv")]
            row["xarray_point_s"] = timed(xa, 3)
        rows.append(row)
        print(json.dumps(row), flush=True)
    with open(os.path.join(a.work, "store_bench.json"), "w") as f:
        json.dump(rows, f, indent=1)
    print("\n| chunks | days | convert s | days/s | MB/s values | peak RSS MiB | store MB "
          "(source MB) | point drill ms | xarray ms | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        xa = r.get("xarray_point_s")
        print(f"| {r['chunks']} | {r['steps']} | {r['convert_s']:.1f} | {r['days_per_s']:.1f} | "
              f"{r['mb_per_s']:.0f} | {r['peak_rss_mib']:.0f} | {r['store_mb']:.0f} "
              f"({r['source_mb']:.0f}) | {r['drill_point_s'] * 1e3:.0f} | "
              f"{xa * 1e3:.0f} | {xa / r['drill_point_s']:.0f}x |" if xa else
              f"| {r['chunks']} | {r['steps']} | {r['convert_s']:.1f} | {r['days_per_s']:.1f} | "
              f"{r['mb_per_s']:.0f} | {r['peak_rss_mib']:.0f} | {r['store_mb']:.0f} "
              f"({r['source_mb']:.0f}) | {r['drill_point_s'] * 1e3:.0f} | - | - |")


if __name__ == "__main__":
    main()
