#!/usr/bin/python3
"""Side by side: warm wall / CPU medians of several bench runs (Debian's /usr/bin/python3).

    bench/compare_runs.py RUN_DIR [RUN_DIR ...]

Each RUN_DIR holds a results.csv written by bench/run.sh. Prints a Markdown table with one row
per collection x question x contender and one column per run; a cell that did not pass its
check shows the status instead of a figure. Used to compare a binary before and after a change
(run the old one with PIXELDRILL_BIN, or bench/run.sh of the old tree, on the same collections).
"""
import csv
import sys


def figure(x):
    try:
        return f"{float(x):.3f}"
    except ValueError:
        return "-"


def main(runs):
    cells = {}
    for run in runs:
        with open(f"{run}/results.csv", newline="") as f:
            for row in csv.DictReader(f):
                key = (row["collection"], row["question"], row["contender"])
                cells.setdefault(key, {})[run] = row
    names = [r.rstrip("/").split("/")[-1] for r in runs]
    print("| collection | question | contender | " +
          " | ".join(f"{n} wall / CPU s" for n in names) + " |")
    print("|---|---|---|" + "---|" * len(runs))
    for key, by_run in cells.items():
        out = []
        for run in runs:
            row = by_run.get(run)
            if row is None:
                out.append("-")
            elif row["status"] != "ok":
                out.append(row["status"])
            else:
                out.append(f"{figure(row['warm_wall_median'])} / {figure(row['warm_cpu_median'])}")
        print(f"| {key[0]} | {key[1]} | {key[2]} | " + " | ".join(out) + " |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
