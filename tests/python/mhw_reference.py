#!/usr/bin/python3
"""Independent numpy reference for pixeldrill's climatology and marine heatwaves.

Written from the published method (Hobday et al. 2016, categories Hobday et
al. 2018) and the documented defaults of the marineHeatWaves reference module,
not from pixeldrill's code: day of year on a leap-year calendar, an 11-day
window around each day of year over the base years, mean and 90th percentile
(numpy's default linear method), 29 Feb = mean of its neighbours, 31-day
circular smoothing; missing days take the climatology; events of >= 5 days
above the threshold, joined across gaps of <= 2 days.

Usage: mhw_reference.py SERIES.csv BASE_FIRST BASE_LAST [GAPFILL_DAYS]
SERIES.csv: lines "YYYY-MM-DD,value" for consecutive days (empty value = missing).
Prints JSON: seas and thresh (366 each) and the events.
Debian's /usr/bin/python3 with python3-numpy.
"""
import datetime as dt
import json
import sys

import numpy as np


def leap_doy(d):
    # Position of (month, day) in the leap year 2000.
    return (dt.date(2000, d.month, d.day) - dt.date(2000, 1, 1)).days + 1


def fill_gaps(x, max_gap):
    x = x.copy()
    bad = np.isnan(x)
    good_idx = np.flatnonzero(~bad)
    if good_idx.size == 0:
        return x
    filled = np.interp(np.arange(x.size), good_idx, x[good_idx])
    i = 0
    while i < x.size:
        if not bad[i]:
            i += 1
            continue
        j = i
        while j < x.size and bad[j]:
            j += 1
        if j - i <= max_gap:
            x[i:j] = filled[i:j]
        i = j
    return x


def main():
    path, y0, y1 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    gap = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    dates, vals = [], []
    for line in open(path):
        d, v = line.strip().split(",")
        dates.append(dt.date.fromisoformat(d))
        vals.append(float(v) if v else np.nan)
    for a, b in zip(dates, dates[1:]):
        assert (b - a).days == 1, "series must be daily without holes"
    x = np.array(vals)
    if gap > 0:
        x = fill_gaps(x, gap)
    n = x.size
    doy = np.array([leap_doy(d) for d in dates])
    years = np.array([d.year for d in dates])
    in_base = (years >= y0) & (years <= y1)

    seas = np.full(366, np.nan)
    thresh = np.full(366, np.nan)
    for d in range(1, 367):
        if d == 60:
            continue
        centres = np.flatnonzero(in_base & (doy == d))
        idx = (centres[:, None] + np.arange(-5, 6)[None, :]).ravel()
        idx = idx[(idx >= 0) & (idx < n)]
        w = x[idx]
        w = w[~np.isnan(w)]
        if w.size:
            seas[d - 1] = w.mean()
            thresh[d - 1] = np.percentile(w, 90)
    seas[59] = 0.5 * (seas[58] + seas[60])
    thresh[59] = 0.5 * (thresh[58] + thresh[60])

    def smooth(a, width=31):
        k = width // 2
        tiled = np.concatenate([a[-k:], a, a[:k]])
        return np.array([tiled[i:i + width].sum() / width for i in range(366)])

    seas, thresh = smooth(seas), smooth(thresh)

    s = seas[doy - 1]
    th = thresh[doy - 1]
    t = np.where(np.isnan(x), s, x)
    above = (t - th) > 0
    runs = []
    i = 0
    while i < n:
        if not above[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and above[j + 1]:
            j += 1
        if j - i + 1 >= 5:
            runs.append([i, j])
        i = j + 1
    merged = []
    for r in runs:
        if merged and r[0] - merged[-1][1] - 1 <= 2:
            merged[-1][1] = r[1]
        else:
            merged.append(list(r))
    events = []
    for a, b in merged:
        rel = t[a:b + 1] - s[a:b + 1]
        norm = (t[a:b + 1] - th[a:b + 1]) / (th[a:b + 1] - s[a:b + 1])
        p = int(np.argmax(rel))
        cat = int(min(4, np.floor(1 + norm.max())))
        events.append({
            "start": dates[a].isoformat(),
            "end": dates[b].isoformat(),
            "peak": dates[a + p].isoformat(),
            "duration": b - a + 1,
            "intensity_max": float(rel[p]),
            "intensity_mean": float(rel.mean()),
            "intensity_cumulative": float(rel.sum()),
            "category": cat,
        })
    json.dump({"seas": [None if np.isnan(v) else float(v) for v in seas],
               "thresh": [None if np.isnan(v) else float(v) for v in thresh],
               "events": events}, sys.stdout)


if __name__ == "__main__":
    main()
