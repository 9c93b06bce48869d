#!/usr/bin/python3
"""xarray's answer to `pixeldrill drill --aggregate PERIOD` on the same data.

Usage: aggregate_xarray.py RAW.nc VARIABLE PERIOD...
RAW.nc is pixeldrill's own CF timeSeries output of the unaggregated drill
(station x time). Prints CSV: period kind,time,station,mean,min,max,std,count for every
period with at least one time step, periods as pandas offsets:
day 1D, week W-MON (left closed, left labelled: ISO weeks), month MS,
season QS-DEC (DJF, MAM, JJA, SON), year YS. std is xarray's default
(population, ddof=0). Debian's /usr/bin/python3 (xarray, pandas).
"""
import sys

import numpy as np
import xarray as xr

FREQ = {"day": "1D", "week": "W-MON", "month": "MS", "season": "QS-DEC", "year": "YS"}


def main():
    path, var = sys.argv[1:3]
    da = xr.open_dataset(path)[var]
    for period in sys.argv[3:]:
        aggregate(da, period)


def aggregate(da, period):
    kw = {"closed": "left", "label": "left"} if period == "week" else {}
    r = da.resample(time=FREQ[period], **kw)
    stats = {
        "mean": r.mean(), "min": r.min(), "max": r.max(),
        "std": r.std(), "count": r.count(),
    }
    # Periods that held at least one time step (xarray also emits empty bins).
    present = da.notnull().resample(time=FREQ[period], **kw).count() + \
        da.isnull().resample(time=FREQ[period], **kw).count()
    times = stats["mean"]["time"].values
    for s in range(da.sizes["station"]):
        for i, t in enumerate(times):
            if not float(present.isel(station=s, time=i)) > 0:
                continue
            vals = []
            for name in ("mean", "min", "max", "std", "count"):
                v = float(stats[name].isel(station=s, time=i))
                vals.append("" if np.isnan(v) else repr(v))
            print(f"{period},{np.datetime_as_string(t, unit='s')}Z,{s}," + ",".join(vals))


if __name__ == "__main__":
    main()
