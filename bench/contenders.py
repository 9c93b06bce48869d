"""The contenders: every tool that answers the benchmark questions.

Adding one is a few lines: write a function that turns (ctx, collection,
question, workdir) into an Invocation (argv + output file + parser) and
`register(Contender(...))` it, here or in a plugin module bench/index_*.py /
bench/store_*.py, which the harness imports automatically. See
docs/benchmarks.md.
"""
import functools
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

from answers import parse_csv, parse_netcdf

PY = "/usr/bin/python3"
HERE = os.path.dirname(os.path.abspath(__file__))


@dataclass
class Ctx:
    pixeldrill: str
    bin_dir: str
    cache: str
    workdir: str
    prepared: Dict[str, Dict[str, dict]] = field(default_factory=dict)  # contender -> coll -> info

    @functools.cached_property
    def help_text(self) -> str:
        try:
            r = subprocess.run([self.pixeldrill, "--help"], capture_output=True, text=True,
                               timeout=30)
            return r.stdout + r.stderr
        except OSError as e:
            return str(e)

    def has_subcommand(self, name: str) -> bool:
        return any(line.strip().startswith(name + " ") or line.strip() == name
                   for line in self.help_text.splitlines())

    def file_list(self, coll, q) -> str:
        path = os.path.join(self.workdir, f"{coll.spec.name}-{q.name}-files.txt")
        if not os.path.exists(path):
            with open(path, "w") as f:
                f.write("\n".join(q.files) + "\n")
        return path


@dataclass
class Invocation:
    argv: List[str]
    output: str                       # the file parse() reads
    parse: Callable[[str], dict]      # -> answers.Answer
    env: Optional[dict] = None


@dataclass
class Contender:
    name: str
    description: str                  # what it runs, shown in docs/benchmarks.md
    command: Callable                 # (ctx, coll, q, out_prefix) -> Invocation
    available: Callable = lambda ctx: None         # -> None, or why it cannot run here
    cannot: Callable = lambda q: None              # -> None, or why it cannot answer q
    prepare: Optional[Callable] = None             # (ctx, coll) -> info dict, once per collection
    data_paths: Callable = lambda ctx, coll: []    # extra files a cold run must evict
    in_smoke: bool = False
    essential: bool = False   # still runs when --max-minutes is used up (pixeldrill's paths)
    per_file: bool = True     # cost grows with the number of files (see --skip-after)


REGISTRY: Dict[str, Contender] = {}


def register(c: Contender):
    REGISTRY[c.name] = c


def _tool(name: str):
    return lambda ctx: None if shutil.which(name) else f"{name} is not installed"


def _keep_site(q) -> bool:
    return q.kind == "stations"


# --- pixeldrill (every path: the SOURCE decides) -----------------------------

def pixeldrill_invocation(ctx, coll, q, out, source) -> Invocation:
    argv = [ctx.pixeldrill, "drill", source, "--var", ",".join(coll.spec.vars),
            "--format", "csv", "--precision", "full", "-o", out + ".csv"]
    if not q.whole_range:
        argv += ["--from", q.date_from, "--to", q.date_to + "T23:59:59Z"]
    if q.kind == "point":
        argv += ["--point", f"{q.lat!r},{q.lon!r}"]
    elif q.kind == "box":
        argv += ["--box", ",".join(repr(x) for x in q.box), "--reduce", "mean"]
    else:
        argv += ["--stations", q.stations_csv]
    return Invocation(argv, out + ".csv",
                      lambda p: parse_csv(p, coll.spec.vars, _keep_site(q)))


def _prepared_source(name):
    def command(ctx, coll, q, out):
        return pixeldrill_invocation(ctx, coll, q, out, ctx.prepared[name][coll.spec.name]["source"])
    return command


def _timed_build(ctx, coll, kind, target, argv) -> dict:
    """Builds an index/store once per collection (cached); times the build."""
    marker = target + ".built.json"
    fresh = os.path.exists(marker) and os.path.getmtime(marker) > os.path.getmtime(ctx.pixeldrill)
    if fresh and os.path.exists(target):
        import json
        with open(marker) as f:
            info = json.load(f)
        info["cached"] = True
        return info
    if os.path.isdir(target):  # built by an older pixeldrill: rebuild
        shutil.rmtree(target)
    elif os.path.exists(target):
        os.remove(target)
    t0 = time.perf_counter()
    r = subprocess.run(argv, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        raise RuntimeError(f"`{' '.join(argv[:3])} ...` failed ({r.returncode}): "
                           f"{r.stderr.strip()[-400:]}")
    size = sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(target) for n in ns) \
        if os.path.isdir(target) else os.path.getsize(target)
    info = {"source": target, "kind": kind, "build_seconds": wall,
            "seconds_per_file": wall / len(coll.files), "bytes": size,
            "command": " ".join([os.path.basename(argv[0])] + argv[1:3] + ["..."])}
    import json
    with open(marker, "w") as f:
        json.dump(info, f)
    info["cached"] = False
    return info


def _index_prepare(ctx, coll):
    target = os.path.join(ctx.cache, coll.spec.name, "collection.pdx")
    return _timed_build(ctx, coll, "index", target,
                        [ctx.pixeldrill, "index", coll.root, "-o", target])


def _store_prepare(ctx, coll):
    target = os.path.join(ctx.cache, coll.spec.name, "store.zarr")
    return _timed_build(ctx, coll, "store", target,
                        [ctx.pixeldrill, "convert", coll.root, "-o", target])


def _runnable(path, wait=60):
    """None if `path` can run; waits out a build that is relinking it."""
    for _ in range(wait // 3):
        if os.access(path, os.X_OK):
            return None
        time.sleep(3)
    return f"{path} is not built"


register(Contender(
    "pixeldrill", "`pixeldrill drill FOLDER` (netCDF-C reference path)",
    lambda ctx, coll, q, out: pixeldrill_invocation(ctx, coll, q, out, coll.root),
    available=lambda ctx: _runnable(ctx.pixeldrill),
    in_smoke=True, essential=True))

register(Contender(
    "pixeldrill-index", "`pixeldrill index FOLDER -o X.pdx` once, then `pixeldrill drill X.pdx`",
    _prepared_source("pixeldrill-index"),
    available=lambda ctx: None if ctx.has_subcommand("index") else
    "not available yet (`pixeldrill index` does not exist in this build)",
    prepare=_index_prepare,
    data_paths=lambda ctx, coll: [os.path.join(ctx.cache, coll.spec.name, "collection.pdx")],
    in_smoke=True, essential=True))

register(Contender(
    "pixeldrill-store", "`pixeldrill convert FOLDER -o S.zarr` once, then `pixeldrill drill S.zarr`",
    _prepared_source("pixeldrill-store"),
    available=lambda ctx: None if ctx.has_subcommand("convert") else
    "not available yet (`pixeldrill convert` does not exist in this build)",
    prepare=_store_prepare,
    data_paths=lambda ctx, coll: [os.path.join(ctx.cache, coll.spec.name, "store.zarr")],
    in_smoke=True, essential=True))


# --- plain netCDF-C loop ------------------------------------------------------

def query_tool_argv(ctx, coll, q, tool):
    """argv of a bench C++ tool (bench/bench_query_args.h options) asking question q."""
    argv = [os.path.join(ctx.bin_dir, tool), "--files", ctx.file_list(coll, q),
            "--vars", ",".join(coll.spec.vars)]
    if q.kind == "point":
        argv += ["--point", f"{q.lat!r},{q.lon!r}"]
    elif q.kind == "box":
        argv += ["--box", ",".join(repr(x) for x in q.box)]
    else:
        argv += ["--stations", q.stations_csv]
    return argv


def _nc_loop(ctx, coll, q, out):
    argv = query_tool_argv(ctx, coll, q, "nc_loop_drill")
    return Invocation(argv, out + ".stdout", lambda p: parse_csv(p, coll.spec.vars, _keep_site(q)))


register(Contender(
    "nc_loop", "bench/nc_loop_drill.cpp: nc_open + nc_get_vara_double per file, one thread",
    _nc_loop,
    available=lambda ctx: _runnable(os.path.join(ctx.bin_dir, "nc_loop_drill")),
    in_smoke=True))


# --- xarray -----------------------------------------------------------------

def _xarray(ctx, coll, q, out, zarr=None):
    argv = [PY, os.path.join(HERE, "xarray_drill.py"), "--vars", ",".join(coll.spec.vars),
            "--out", out + ".csv"]
    if zarr:
        argv += ["--zarr", zarr]
        if not q.whole_range:
            argv += ["--from", q.date_from, "--to", q.date_to + "T23:59:59"]
    else:
        argv += ["--files", ctx.file_list(coll, q)]
    if q.kind == "point":  # "=": argparse would take "-32.0,..." for an option
        argv += [f"--point={q.lat!r},{q.lon!r}"]
    elif q.kind == "box":
        argv += ["--box-idx", ",".join(str(i) for i in q.box_idx)]
    else:
        argv += ["--stations", q.stations_csv]
    return Invocation(argv, out + ".csv", lambda p: parse_csv(p, coll.spec.vars, _keep_site(q)))


def _python_has(module):
    def check(ctx):
        r = subprocess.run([PY, "-c", f"import {module}"], capture_output=True)
        return None if r.returncode == 0 else f"{PY} cannot import {module}"
    return check


register(Contender(
    "xarray", "`xr.open_mfdataset(files, preprocess=select vars, data_vars/coords='minimal', "
              "compat='override')` + `.sel(method='nearest')` / `.isel` box `.mean(skipna)`, dask",
    _xarray, available=_python_has("xarray, dask, netCDF4"), in_smoke=True))

register(Contender(
    "xarray-store", "`xr.open_zarr(S.zarr)` on pixeldrill's store + the same selections",
    lambda ctx, coll, q, out: _xarray(ctx, coll, q, out,
                                      ctx.prepared["xarray-store"][coll.spec.name]["source"]),
    available=lambda ctx: ("not available yet (`pixeldrill convert` does not exist in this build)"
                           if not ctx.has_subcommand("convert") else _python_has("zarr")(ctx)),
    prepare=_store_prepare, per_file=False,
    data_paths=lambda ctx, coll: [os.path.join(ctx.cache, coll.spec.name, "store.zarr")]))


# --- CDO --------------------------------------------------------------------

def _cdo(ctx, coll, q, out):
    sel = "-select,name=" + ",".join(coll.spec.vars)
    sites, pick = None, None
    if q.kind == "point":
        ops = [f"-remapnn,lon={q.lon!r}_lat={q.lat!r}"]
    elif q.kind == "box":
        i0, i1, j0, j1 = q.box_idx
        ops = ["-fldmean,weights=false", f"-selindexbox,{j0 + 1},{j1 + 1},{i0 + 1},{i1 + 1}"]
    else:
        grid = out + ".grid.txt"
        with open(grid, "w") as f:
            f.write(f"gridtype = unstructured\ngridsize = {len(q.stations)}\n")
            f.write("xvals = " + " ".join(repr(s[2]) for s in q.stations) + "\n")
            f.write("yvals = " + " ".join(repr(s[1]) for s in q.stations) + "\n")
        ops = [f"-remapnn,{grid}"]
        sites = [s[0] for s in q.stations]
        pick = lambda ds: list(range(len(sites)))
    argv = ["cdo", "-s", "-O", "-b", "F64"] + ops + [sel] + q.files + [out + ".nc"]
    return Invocation(argv, out + ".nc",
                      lambda p: parse_netcdf(p, coll.spec.vars, sites, pick))


register(Contender(
    "cdo", "`cdo -b F64 -remapnn,lon=X_lat=Y` (point), `-remapnn,stations.grid` (unstructured "
           "grid of the stations), `-fldmean,weights=false -selindexbox` (box) on "
           "`-select,name=VARS FILES`",
    _cdo, available=_tool("cdo"), in_smoke=True))


# --- NCO --------------------------------------------------------------------

def _nco(ctx, coll, q, out):
    tmp = out + ".nco"
    v = ",".join(coll.spec.vars)
    sites, pick = None, None
    if q.kind == "point":
        dims = f"-d lat,{q.pixel[0]} -d lon,{q.pixel[1]}"
    elif q.kind == "box":
        i0, i1, j0, j1 = q.box_idx
        dims = f"-d lat,{i0},{i1} -d lon,{j0},{j1}"
    else:
        # One pass: NCO multi-slab hyperslabs take the union of the stations'
        # rows and columns; each station is then read off its own pixel.
        rows = sorted({_row(coll, s[1]) for s in q.stations})
        cols = sorted({_col(coll, s[2]) for s in q.stations})
        dims = " ".join(f"-d lat,{i}" for i in rows) + " " + " ".join(f"-d lon,{j}" for j in cols)
        sites = [s[0] for s in q.stations]
        want = [(s[1], s[2]) for s in q.stations]

        def pick(ds):
            import numpy as np
            la, lo = np.asarray(ds["lat"][:]), np.asarray(ds["lon"][:])
            return [int(np.argmin(abs(la - a))) * lo.size + int(np.argmin(abs(lo - b)))
                    for a, b in want]
    lines = ["set -euo pipefail", f"mkdir -p {tmp}", "i=0"]
    lines.append("while read -r f; do")
    lines.append(f"  ncks -O --mk_rec_dmn time -v {v} {dims} \"$f\" {tmp}/a.nc")
    lines.append(f"  ncpdq -O -U {tmp}/a.nc {tmp}/$(printf %07d $i).nc")
    lines.append("  i=$((i+1))")
    lines.append(f"done < {ctx.file_list(coll, q)}")
    lines.append(f"rm {tmp}/a.nc")
    if q.kind == "box":
        # ncwa averages in the variable's own type (a byte mean would be
        # rounded), so the user casts to double first.
        casts = ";".join(f"{name}=double({name})" for name in coll.spec.vars)
        lines.append(f"ncrcat -O {tmp}/*.nc {tmp}/cat.nc")
        lines.append(f"ncap2 -O -s '{casts}' {tmp}/cat.nc {tmp}/dbl.nc")
        lines.append(f"ncwa -O -a lat,lon {tmp}/dbl.nc {out}.nc")
    else:
        lines.append(f"ncrcat -O {tmp}/*.nc {out}.nc")
    lines.append(f"rm -r {tmp}")
    script = out + ".sh"
    with open(script, "w") as f:
        f.write("\n".join(lines) + "\n")
    return Invocation(["bash", script], out + ".nc",
                      lambda p: parse_netcdf(p, coll.spec.vars, sites, pick))


def _row(coll, lat):
    import numpy as np
    return int(np.argmin(abs(coll.lat.astype(float) - lat)))


def _col(coll, lon):
    import numpy as np
    return int(np.argmin(abs(coll.lon.astype(float) - lon)))


register(Contender(
    "nco", "per file `ncks -O --mk_rec_dmn time -v VARS -d lat,.. -d lon,..` + `ncpdq -U` "
           "(unpack: packing differs per file), then `ncrcat` (box: + `ncap2` cast to double + "
           "`ncwa -a lat,lon`)",
    _nco, available=lambda ctx: _tool("ncks")(ctx) or _tool("ncrcat")(ctx), in_smoke=True))
