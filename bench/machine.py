"""What the benchmark ran on: cores, RAM, CPU model, disk, tool versions."""
import os
import platform
import subprocess


def _first(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        return (r.stdout or r.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    return None


def _disk(path):
    """Device, filesystem and rotational flag of the filesystem holding `path`."""
    src = _first(["findmnt", "-n", "-o", "SOURCE,FSTYPE", "--target", path])
    dev = src.split()[0] if src != "unknown" else ""
    rot = "unknown"
    base = os.path.basename(dev)
    for cand in (base, base.rstrip("0123456789")):
        p = f"/sys/block/{cand}/queue/rotational"
        if cand and os.path.exists(p):
            with open(p) as f:
                rot = "rotational=" + f.read().strip()
            break
    return f"{src} ({rot})"


def describe(path) -> dict:
    import numpy
    versions = {
        "cdo": _first(["cdo", "--version"]),
        "nco": _first(["ncks", "--version"]),
        "netcdf-c": _first(["nc-config", "--version"]),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
    }
    try:
        import dask
        import xarray
        versions["xarray"] = xarray.__version__
        versions["dask"] = dask.__version__
    except ImportError:
        pass
    return {"nproc": os.cpu_count(), "ram_gib": _ram_gib(), "cpu": _cpu_model(),
            "disk": _disk(path), "kernel": platform.release(), "versions": versions}
