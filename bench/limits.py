"""Physical limits measured in the same run as the contenders.

- inflate: bench/inflate_limit reads the raw chunks each question touches
  (H5Dread_chunk), times zlib / libdeflate / isa-l on one core, and gives the
  seconds the fastest would need for the bytes the query must inflate.
- disk: sequential read bandwidth of a big file evicted from the page cache
  (dd), for the cold limit = max(stored chunk bytes / bandwidth, inflate).
"""
import json
import os
import statistics
import subprocess
import time

from contenders import query_tool_argv


def inflate_limit(ctx, coll, q, timeout=1800) -> dict:
    argv = query_tool_argv(ctx, coll, q, "inflate_limit")
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        return {"error": str(e)}
    if r.returncode != 0:
        return {"error": r.stderr.strip()[-500:]}
    return json.loads(r.stdout)


def disk_bandwidth(cache: str, size_mb: int, evictor, log) -> dict:
    """MB/s of `dd` reading a size_mb file of random bytes after eviction."""
    path = os.path.join(cache, f"ddtest-{size_mb}M.bin")
    if not os.path.exists(path) or os.path.getsize(path) != size_mb << 20:
        log(f"writing {path} for the disk read test")
        subprocess.run(["dd", "if=/dev/urandom", f"of={path}.tmp", "bs=1M", f"count={size_mb}",
                        "status=none"], check=True)
        os.replace(path + ".tmp", path)
    rates, resident = [], []
    for _ in range(3):
        evictor.evict([path])
        resident.append(evictor.resident_fraction(path))
        t0 = time.perf_counter()
        subprocess.run(["dd", f"if={path}", "of=/dev/null", "bs=4M", "status=none"], check=True)
        rates.append(size_mb * 1.048576 / (time.perf_counter() - t0))
    return {"file_mb": size_mb, "MBps_median": statistics.median(rates), "MBps_all": rates,
            "resident_fraction_before_read": resident, "method": evictor.method}
