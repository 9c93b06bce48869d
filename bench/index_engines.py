"""Harness plugin: the chunk-index drill with each inflate engine forced.

`pixeldrill drill X.pdx` picks its engine automatically (isa-l when it stops
inflating early, libdeflate for whole chunks); PIXELDRILL_INFLATE forces one,
so the harness can show what the choice is worth on every question.
"""
import os

from contenders import (Contender, _index_prepare, pixeldrill_invocation, register)


def _forced(engine):
    def command(ctx, coll, q, out):
        inv = pixeldrill_invocation(ctx, coll, q, out,
                                    ctx.prepared[f"pixeldrill-index-{engine}"][coll.spec.name]["source"])
        inv.env = dict(os.environ, PIXELDRILL_INFLATE=engine)
        return inv
    return command


for _engine in ("zlib", "libdeflate", "isal"):
    register(Contender(
        f"pixeldrill-index-{_engine}",
        f"`pixeldrill drill X.pdx` with `PIXELDRILL_INFLATE={_engine}` (engine forced)",
        _forced(_engine),
        available=lambda ctx: None if ctx.has_subcommand("index") else "no `pixeldrill index`",
        prepare=_index_prepare,
        data_paths=lambda ctx, coll: [os.path.join(ctx.cache, coll.spec.name, "collection.pdx")]))
