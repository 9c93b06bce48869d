"""Benchmark collections and the questions every contender answers.

A collection is generated once with `pixeldrill synth` and cached; the
questions are derived deterministically from the collection's own lat/lon and
its ocean pixels (pixels with valid SST in a sample of files), so every
contender is asked exactly the same thing.
"""
import datetime as dt
import json
import os
import re
import subprocess
from dataclasses import asdict, dataclass, field
from typing import List, Optional, Tuple

import numpy as np

VARS = ["sea_surface_temperature", "quality_level"]
BOX_PIXELS = 25
N_STATIONS = 50
STATION_SEED = 20240327
POINT_TARGET = (-32.0, 114.0)  # off Western Australia
BOX_TARGET = (-40.0, 150.0)    # Tasman Sea


@dataclass
class CollectionSpec:
    name: str
    date_from: str
    date_to: str
    decimate: int
    vars: List[str] = field(default_factory=lambda: list(VARS))
    product: str = "l3s-1d-night"

    def synth_args(self):
        args = ["--from", self.date_from, "--to", self.date_to, "--decimate", str(self.decimate),
                "--vars", ",".join(self.vars)]
        # The default product keeps its historical arguments (and cache key).
        return args if self.product == "l3s-1d-night" else args + ["--product", self.product]


def for_product(specs, product):
    """The mode's collections for another `synth --product`: same dates and grids,
    named after the product (a 4-hourly product has six files a day)."""
    if product == "l3s-1d-night":
        return list(specs)
    return [CollectionSpec(f"{s.name}-{product}", s.date_from, s.date_to, s.decimate,
                           list(s.vars), product) for s in specs]


COLLECTIONS = {
    "full": [CollectionSpec("year-d1", "2021-01-01", "2021-12-31", 1),
             CollectionSpec("decade-d10", "2012-01-01", "2021-12-31", 10)],
    "quick": [CollectionSpec("month-d20", "2021-01-01", "2021-01-30", 20),
              CollectionSpec("year-d50", "2021-01-01", "2021-12-31", 50)],
    "smoke": [CollectionSpec("smoke-d50", "2021-01-01", "2021-01-05", 50)],
}


@dataclass
class Collection:
    spec: CollectionSpec
    root: str
    files: List[str]          # sorted by the date in the file name
    dates: List[str]          # YYYY-MM-DD of each file
    lat: np.ndarray
    lon: np.ndarray
    bytes: int = 0

    def files_between(self, d0: str, d1: str) -> List[str]:
        return [f for f, d in zip(self.files, self.dates) if d0 <= d <= d1]


@dataclass
class Question:
    name: str
    kind: str                        # point | box | stations
    date_from: str
    date_to: str
    whole_range: bool
    lat: Optional[float] = None      # point: an exact pixel centre
    lon: Optional[float] = None
    pixel: Optional[Tuple[int, int]] = None
    box: Optional[Tuple[float, float, float, float]] = None    # S,N,W,E (between centres)
    box_idx: Optional[Tuple[int, int, int, int]] = None        # i0,i1,j0,j1 inclusive
    stations: Optional[List[Tuple[str, float, float]]] = None  # id, lat, lon
    stations_csv: Optional[str] = None
    files: List[str] = field(default_factory=list)

    def describe(self) -> str:
        rng = "whole range" if self.whole_range else f"{self.date_from}..{self.date_to}"
        if self.kind == "point":
            return f"point {self.lat},{self.lon} over {rng}"
        if self.kind == "box":
            return f"{BOX_PIXELS}x{BOX_PIXELS} box {self.box} mean per day over {rng}"
        return f"{len(self.stations)} stations in one pass over {rng}"

    def summary(self) -> dict:
        d = asdict(self)
        d.pop("files")
        d["n_files"] = len(self.files)
        return d


_DATE_RE = re.compile(r"(\d{8})\d{6}-")


def _file_date(path: str) -> Optional[str]:
    m = _DATE_RE.search(os.path.basename(path))
    if not m:
        return None
    s = m.group(1)
    return f"{s[:4]}-{s[4:6]}-{s[6:]}"


def ensure_collection(spec: CollectionSpec, cache: str, pixeldrill: str, log) -> Collection:
    """Generates the collection with `pixeldrill synth` unless the cache holds it."""
    base = os.path.join(cache, spec.name)
    root = os.path.join(base, "data")
    marker = os.path.join(base, "complete.json")
    want = {"synth_args": spec.synth_args()}
    have = None
    if os.path.exists(marker):
        with open(marker) as f:
            have = json.load(f)
    if not have or have.get("synth_args") != want["synth_args"]:
        if os.path.exists(root):
            subprocess.run(["rm", "-rf", root], check=True)
        os.makedirs(base, exist_ok=True)
        cmd = [pixeldrill, "synth", root] + spec.synth_args()
        log(f"generating {spec.name}: {' '.join(cmd)}")
        t0 = dt.datetime.now()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        want["seconds"] = (dt.datetime.now() - t0).total_seconds()
        want["command"] = " ".join(cmd)
        subprocess.run(["sync"], check=False)
        with open(marker + ".tmp", "w") as f:
            json.dump(want, f)
        os.replace(marker + ".tmp", marker)
    files = []
    for d, _, names in os.walk(root):
        files += [os.path.join(d, n) for n in names if n.endswith(".nc") and _file_date(n)]
    files.sort(key=lambda p: (_file_date(p), p))
    if not files:
        raise RuntimeError(f"{root}: pixeldrill synth produced no files")
    import netCDF4
    with netCDF4.Dataset(files[0]) as ds:
        lat = np.asarray(ds["lat"][:], dtype=np.float32)
        lon = np.asarray(ds["lon"][:], dtype=np.float32)
    size = sum(os.path.getsize(f) for f in files)
    return Collection(spec, root, files, [_file_date(f) for f in files], lat, lon, size)


def _ocean_mask(coll: Collection) -> np.ndarray:
    """Pixels with valid SST in any of up to 8 evenly spaced files."""
    import netCDF4
    picks = sorted(set(np.linspace(0, len(coll.files) - 1, min(8, len(coll.files))).astype(int)))
    mask = np.zeros((coll.lat.size, coll.lon.size), bool)
    for k in picks:
        with netCDF4.Dataset(coll.files[k]) as ds:
            v = ds["sea_surface_temperature"]
            v.set_auto_mask(True)
            mask |= ~np.ma.getmaskarray(v[0, :, :])
    return mask


def _nearest_true(mask: np.ndarray, lat, lon, target) -> Tuple[int, int]:
    ii, jj = np.nonzero(mask)
    if ii.size == 0:
        raise RuntimeError("no valid SST pixel in the sampled files")
    d = (lat[ii] - target[0]) ** 2 + (lon[jj] - target[1]) ** 2
    k = int(np.argmin(d))
    return int(ii[k]), int(jj[k])


def _edge(axis: np.ndarray, a: int, b: int) -> Tuple[float, float]:
    """Bounds halfway between the first/last selected centre and its neighbour."""
    step = float(axis[1] - axis[0]) if axis.size > 1 else 1.0
    lo = float(axis[a - 1] + axis[a]) / 2 if a > 0 else float(axis[a]) - step / 2
    hi = float(axis[b] + axis[b + 1]) / 2 if b + 1 < axis.size else float(axis[b]) + step / 2
    return round(min(lo, hi), 6), round(max(lo, hi), 6)


def _best_box(mask: np.ndarray, lat, lon, n: int) -> Tuple[int, int]:
    """Top-left of the n x n window with the most ocean, nearest BOX_TARGET."""
    ny, nx = mask.shape
    n_i, n_j = min(n, ny), min(n, nx)
    s = np.pad(mask.astype(np.int64).cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    counts = s[n_i:, n_j:] - s[:-n_i, n_j:] - s[n_i:, :-n_j] + s[:-n_i, :-n_j]
    best = counts.max()
    ii, jj = np.nonzero(counts == best)
    ci, cj = lat[ii + n_i // 2], lon[jj + n_j // 2]
    k = int(np.argmin((ci - BOX_TARGET[0]) ** 2 + (cj - BOX_TARGET[1]) ** 2))
    return int(ii[k]), int(jj[k])


def _month_of(coll: Collection) -> Tuple[str, str]:
    """The calendar month holding the middle file, clipped to the collection."""
    mid = dt.date.fromisoformat(coll.dates[len(coll.dates) // 2])
    first = mid.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    last = nxt - dt.timedelta(days=1)
    d0 = max(first.isoformat(), coll.dates[0])
    d1 = min(last.isoformat(), coll.dates[-1])
    return d0, d1


def make_questions(coll: Collection, workdir: str) -> List[Question]:
    """The four questions, cached in workdir/questions.json for the record."""
    mask = _ocean_mask(coll)
    lat, lon = coll.lat, coll.lon
    d0, d1 = coll.dates[0], coll.dates[-1]
    pi, pj = _nearest_true(mask, lat, lon, POINT_TARGET)
    plat, plon = float(lat[pi]), float(lon[pj])
    qs = [Question("point_all", "point", d0, d1, True, plat, plon, (pi, pj)),
          Question("point_month", "point", *_month_of(coll), False, plat, plon, (pi, pj))]
    bi, bj = _best_box(mask, lat, lon, BOX_PIXELS)
    i1, j1 = min(bi + BOX_PIXELS, lat.size) - 1, min(bj + BOX_PIXELS, lon.size) - 1
    s, n = _edge(lat, bi, i1)
    w, e = _edge(lon, bj, j1)
    qs.append(Question("box25_mean", "box", d0, d1, True, box=(s, n, w, e), box_idx=(bi, i1, bj, j1)))
    ii, jj = np.nonzero(mask)
    rng = np.random.default_rng(STATION_SEED)
    picks = np.sort(rng.choice(ii.size, size=min(N_STATIONS, ii.size), replace=False))
    stations = [(f"S{k:02d}", float(lat[ii[p]]), float(lon[jj[p]])) for k, p in enumerate(picks)]
    csv_path = os.path.join(workdir, f"{coll.spec.name}-stations.csv")
    with open(csv_path, "w") as f:
        f.write("id,lat,lon\n")
        for sid, la, lo in stations:
            f.write(f"{sid},{la!r},{lo!r}\n")
    qs.append(Question("stations50", "stations", d0, d1, True, stations=stations,
                       stations_csv=csv_path))
    for q in qs:
        q.files = coll.files_between(q.date_from, q.date_to)
    with open(os.path.join(workdir, f"{coll.spec.name}-questions.json"), "w") as f:
        json.dump([q.summary() for q in qs], f, indent=1)
    return qs
