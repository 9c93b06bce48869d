"""Running one contender process and measuring it; evicting the page cache.

Each run is one child process (a shell script for multi-step tools), timed
with a monotonic clock; CPU seconds come from os.wait4's rusage of that child
(which covers the descendants it waited for). Peak RSS comes from GNU
/usr/bin/time wrapped around the command: a child forked from this Python
process would otherwise report the harness's own RSS (Linux carries the
pre-exec high-water mark into ru_maxrss).
"""
import os
import signal
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import List, Optional

GNU_TIME = "/usr/bin/time"


@dataclass
class RunResult:
    wall: float
    cpu: float
    rss_mb: float
    rc: int
    timed_out: bool
    stderr_tail: str


def run_measured(argv: List[str], stdout_path: str, timeout: float, env=None,
                 cwd=None, retries=3) -> RunResult:
    err_path = stdout_path + ".stderr"
    rss_path = stdout_path + ".rss"
    if os.access(GNU_TIME, os.X_OK):
        argv = [GNU_TIME, "-f", "%M", "-o", rss_path] + list(argv)
    with open(stdout_path, "wb") as out, open(err_path, "wb") as err:
        for attempt in range(5):  # a binary being relinked by a build is briefly unrunnable
            try:
                t0 = time.perf_counter()
                proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=cwd,
                                        start_new_session=True)
                break
            except (PermissionError, OSError) as e:
                if attempt == 4:
                    return RunResult(0.0, 0.0, 0.0, 127, False, f"cannot start {argv[0]}: {e}")
                time.sleep(3)
        fired = threading.Event()

        def kill():
            fired.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode in (126, 127) and retries and not fired.is_set():
        time.sleep(3)  # GNU time could not exec the tool (relinked by a build?): again
        return run_measured(argv[5:] if argv[0] == GNU_TIME else argv, stdout_path, timeout,
                            env, cwd, retries - 1)
    with open(err_path, "rb") as f:
        tail = f.read()[-2000:].decode("utf-8", "replace")
    rss_kb = usage.ru_maxrss  # an upper bound when GNU time is missing
    try:
        with open(rss_path) as f:
            rss_kb = int(f.read().split()[-1])
    except (OSError, ValueError, IndexError):
        pass
    if proc.returncode != 0 and argv[0] == GNU_TIME:  # GNU time's own "Command exited" line
        tail = "\n".join(l for l in tail.splitlines() if not l.startswith("Command "))
    return RunResult(wall, usage.ru_utime + usage.ru_stime, rss_kb / 1024.0,
                     proc.returncode, fired.is_set(), tail)


def summarise(runs: List[RunResult]) -> Optional[dict]:
    if not runs:
        return None
    walls = [r.wall for r in runs]
    cpus = [r.cpu for r in runs]
    return {"n": len(runs), "wall_median": statistics.median(walls), "wall_min": min(walls),
            "wall_max": max(walls), "cpu_median": statistics.median(cpus),
            "rss_mb_max": max(r.rss_mb for r in runs), "walls": walls}


class CacheEvictor:
    """Makes the next run cold, by the strongest method this machine permits.

    method: "drop_caches" (sync + echo 3 > /proc/sys/vm/drop_caches: the whole
    page cache of this (virtual) machine), "fadvise" (posix_fadvise DONTNEED on
    every file of the benchmark data: only those files) or "none".
    """

    def __init__(self, requested: str):
        self.method = requested
        if requested == "auto":
            self.method = "drop_caches" if self._try_drop() else "fadvise"
        elif requested == "drop_caches" and not self._try_drop():
            raise RuntimeError("drop_caches requested but /proc/sys/vm/drop_caches is not writable")

    @staticmethod
    def _try_drop() -> bool:
        try:
            os.sync()
            with open("/proc/sys/vm/drop_caches", "w") as f:
                f.write("3\n")
            return True
        except OSError:
            return False

    def label(self) -> str:
        return {
            "drop_caches": "cold = `sync; echo 3 > /proc/sys/vm/drop_caches` before each run "
                           "(whole guest page cache dropped; a hypervisor-side cache, if any, "
                           "is out of our reach)",
            "fadvise": "cold = posix_fadvise(POSIX_FADV_DONTNEED) on every data file before each "
                       "run (drop_caches not permitted here)",
            "none": "cold runs disabled",
        }[self.method]

    def evict(self, paths: List[str]):
        if self.method == "drop_caches":
            self._try_drop()
        elif self.method == "fadvise":
            os.sync()
            for root in paths:
                for f in _walk_files(root):
                    try:
                        fd = os.open(f, os.O_RDONLY)
                    except OSError:
                        continue
                    try:
                        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                    finally:
                        os.close(fd)

    @staticmethod
    def resident_fraction(path: str) -> Optional[float]:
        """Fraction of `path` in the page cache (util-linux fincore), to verify eviction."""
        try:
            out = subprocess.run(["fincore", "-b", "-n", "-o", "RES,SIZE", path],
                                 capture_output=True, text=True, check=True).stdout.split()
            res, size = int(out[0]), int(out[1])
            return res / size if size else 0.0
        except (OSError, subprocess.CalledProcessError, ValueError, IndexError):
            return None


def _walk_files(root: str):
    if os.path.isfile(root):
        yield root
        return
    for d, _, names in os.walk(root):
        for n in names:
            yield os.path.join(d, n)
