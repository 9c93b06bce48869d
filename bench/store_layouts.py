"""Harness plugin: the Zarr store built with other chunk layouts, so the
default (365, 64, 64) is compared on every question with the original
project's 64 x 64 x 64 cube and AODN's cloud-optimised (5, 500, 500), each
drilled by pixeldrill and by xarray (`xr.open_zarr`). Build time, peak RSS
and size of every layout are recorded by the harness's prepare step; see
docs/store.md for the conversion measurements.
"""
import os

from contenders import (Contender, _python_has, _timed_build, _xarray, pixeldrill_invocation,
                        register)

LAYOUTS = {"64cube": "64,64,64", "aodn": "5,500,500"}


def _prepare(layout):
    def prepare(ctx, coll):
        target = os.path.join(ctx.cache, coll.spec.name, f"store-{layout}.zarr")
        return _timed_build(ctx, coll, "store", target,
                            [ctx.pixeldrill, "convert", coll.root, "-o", target, "--chunks",
                             LAYOUTS[layout]])
    return prepare


def _paths(layout):
    return lambda ctx, coll: [os.path.join(ctx.cache, coll.spec.name, f"store-{layout}.zarr")]


def _available(ctx):
    return None if ctx.has_subcommand("convert") else "no `pixeldrill convert`"


for _layout, _chunks in LAYOUTS.items():
    _name = f"pixeldrill-store-{_layout}"
    register(Contender(
        _name, f"`pixeldrill convert --chunks {_chunks}`, then `pixeldrill drill S.zarr`",
        (lambda name: lambda ctx, coll, q, out: pixeldrill_invocation(
            ctx, coll, q, out, ctx.prepared[name][coll.spec.name]["source"]))(_name),
        available=_available, prepare=_prepare(_layout), data_paths=_paths(_layout)))
    _xname = f"xarray-store-{_layout}"
    register(Contender(
        _xname, f"`xr.open_zarr` on the store built with `--chunks {_chunks}`",
        (lambda name: lambda ctx, coll, q, out: _xarray(
            ctx, coll, q, out, ctx.prepared[name][coll.spec.name]["source"]))(_xname),
        available=lambda ctx: _available(ctx) or _python_has("zarr")(ctx),
        prepare=_prepare(_layout), data_paths=_paths(_layout)))
