#!/usr/bin/python3
"""A short table per collection of one bench run (Debian's /usr/bin/python3).

    bench/product_table.py RUN_DIR [CONTENDER,...]

Reads RUN_DIR/results.csv (bench/run.sh) and prints, for each collection, one Markdown row per
question x contender: warm wall median, CPU, and the ratio to pixeldrill's reference path and to
the fastest pixeldrill path of the same question. docs/benchmarks.md quotes these tables for
the products other than L3S-1d night (`bench/run.sh --product NAME`).
"""
import csv
import sys

DEFAULT = "pixeldrill,pixeldrill-index,pixeldrill-store,nc_loop,xarray,xarray-store,cdo,nco"


def seconds(x):
    v = float(x)
    return f"{v:.3g}" if v < 100 else f"{v:.0f}"


def main(run, wanted):
    rows = list(csv.DictReader(open(f"{run}/results.csv", newline="")))
    by_collection = {}
    for r in rows:
        if r["contender"] in wanted:
            by_collection.setdefault(r["collection"], []).append(r)
    for collection, cells in by_collection.items():
        files = max(int(r["n_files"] or 0) for r in cells)
        print(f"\n**{collection}** ({files} files)\n")
        print("| question | contender | warm s | CPU s | x pixeldrill | x fastest pixeldrill path |")
        print("|---|---|---|---|---|---|")
        best = {}
        for r in cells:
            if r["status"] == "ok" and r["contender"].startswith("pixeldrill"):
                q = r["question"]
                best[q] = min(best.get(q, 1e30), float(r["warm_wall_median"]))
        order = list(dict.fromkeys(r["question"] for r in cells))
        cells.sort(key=lambda r: (order.index(r["question"]), wanted.index(r["contender"])))
        for r in cells:
            if r["status"] != "ok":
                reason = r["reason"].split("(")[0].strip() or r["status"]
                print(f"| {r['question']} | {r['contender']} | {r['status']}: {reason} | | | |")
                continue
            wall = float(r["warm_wall_median"])
            print(f"| {r['question']} | {r['contender']} | {seconds(wall)} | "
                  f"{seconds(r['warm_cpu_median'])} | {float(r['x_pixeldrill_warm']):.2f} | "
                  f"{wall / best[r['question']]:.1f} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else DEFAULT).split(","))
