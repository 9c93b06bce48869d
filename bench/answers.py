"""Contender answers in one normal form, and the check that they agree.

An Answer maps (unix_seconds, site) to one float per variable (NaN = missing).
For a point or a box the site is "" whatever the tool printed.
"""
import calendar
import csv
import datetime as dt
import math
from typing import Dict, List, Tuple

import numpy as np

Answer = Dict[Tuple[int, str], Tuple[float, ...]]

RTOL = 2e-6  # float32 decoding/summation round-off (SST quantum 0.01 K is 3e-5 relative)
ATOL = 1e-6


def _num(text: str) -> float:
    text = text.strip()
    return float(text) if text not in ("", "nan", "NaN", "--") else math.nan


def _iso_to_unix(text: str) -> int:
    text = text.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return calendar.timegm(t.utctimetuple())


def parse_csv(path: str, variables: List[str], keep_site: bool) -> Answer:
    """CSV with columns time (ISO 8601 or Unix seconds), site, ..., <variables>."""
    out: Answer = {}
    with open(path, newline="") as f:
        rows = csv.DictReader(f)
        names = rows.fieldnames or []
        # A box mean of a categorical variable (quality_level) comes from
        # pixeldrill as counts per level (VAR_count, VAR_count_<k>); the mean
        # the other tools compute is sum(k * n_k) / n.
        levels = {v: [(int(n[len(v) + 7:]), n) for n in names
                      if n.startswith(v + "_count_") and n[len(v) + 7:].isdigit()]
                  for v in variables if v not in names}
        missing = [v for v in variables if v not in names and not levels.get(v)]
        if missing:
            raise ValueError(f"{path}: no column {missing} in {rows.fieldnames}")

        def value(row, v):
            if v in names:
                return _num(row[v])
            n = _num(row[v + "_count"])
            return sum(k * _num(row[c]) for k, c in levels[v]) / n if n > 0 else math.nan

        for row in rows:
            key = (_iso_to_unix(row["time"]), row.get("site", "") if keep_site else "")
            out[key] = tuple(value(row, v) for v in variables)
    return out


def parse_netcdf(path: str, variables: List[str], sites: List[str] = None,
                 pick=None) -> Answer:
    """A CDO/NCO result file: time x (pixels); `pick(ds)` gives the flat pixel
    index of each site (default: the single pixel / box mean)."""
    import netCDF4
    out: Answer = {}
    with netCDF4.Dataset(path) as ds:
        tvar = ds["time"]
        times = netCDF4.num2date(tvar[:], tvar.units, getattr(tvar, "calendar", "standard"),
                                 only_use_cftime_datetimes=False,
                                 only_use_python_datetimes=True)
        unix = [calendar.timegm(t.timetuple()) for t in times]
        cols = []
        for v in variables:
            a = ds[v][:]
            a = np.ma.filled(np.ma.asarray(a, dtype=np.float64), np.nan)
            cols.append(a.reshape(len(unix), -1))
        index = pick(ds) if pick else [0]
    names = sites if sites else [""]
    for ti, t in enumerate(unix):
        for site, k in zip(names, index):
            out[(t, site)] = tuple(float(c[ti, k]) for c in cols)
    return out


def perturb(ans: Answer) -> Answer:
    """Adds 1 to the first non-missing value: proves the check catches a wrong answer."""
    out = dict(ans)
    for key in sorted(out):
        vals = list(out[key])
        for i, v in enumerate(vals):
            if not math.isnan(v):
                vals[i] = v + 1.0
                out[key] = tuple(vals)
                return out
    return out


def _close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= ATOL + RTOL * abs(a)


def compare(ref: Answer, got: Answer, variables: List[str]) -> dict:
    """{'match': bool, ...details of the first differences}."""
    iso = lambda t: dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    missing = sorted(set(ref) - set(got))
    extra = sorted(set(got) - set(ref))
    bad, max_abs = [], 0.0
    for key in sorted(set(ref) & set(got)):
        for v, a, b in zip(variables, ref[key], got[key]):
            if not _close(a, b):
                bad.append({"time": iso(key[0]), "site": key[1], "var": v, "reference": a,
                            "contender": b})
            elif not math.isnan(a):
                max_abs = max(max_abs, abs(a - b))
    rows_ok = not missing and not extra
    return {
        "match": rows_ok and not bad and len(ref) > 0,
        "rows_reference": len(ref), "rows_contender": len(got),
        "missing_rows": [(iso(t), s) for t, s in missing[:5]], "n_missing_rows": len(missing),
        "extra_rows": [(iso(t), s) for t, s in extra[:5]], "n_extra_rows": len(extra),
        "n_value_mismatches": len(bad), "first_mismatches": bad[:5],
        "max_abs_diff_of_matching": max_abs,
        "valid_values": sum(1 for vals in ref.values() for x in vals if not math.isnan(x)),
    }


def describe_diff(c: dict) -> str:
    parts = []
    if c["rows_reference"] == 0:
        parts.append("reference answer is empty")
    if c["n_missing_rows"]:
        parts.append(f"{c['n_missing_rows']} rows missing (e.g. {c['missing_rows'][:2]})")
    if c["n_extra_rows"]:
        parts.append(f"{c['n_extra_rows']} extra rows (e.g. {c['extra_rows'][:2]})")
    if c["n_value_mismatches"]:
        m = c["first_mismatches"][0]
        parts.append(f"{c['n_value_mismatches']} values differ, first {m['var']} at {m['time']} "
                     f"site '{m['site']}': reference {m['reference']!r} vs {m['contender']!r}")
    return "; ".join(parts) or "identical"
