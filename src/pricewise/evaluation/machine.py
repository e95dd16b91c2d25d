"""A short description of the machine a figure was measured on, for every benchmark row."""

from __future__ import annotations

import os
import platform
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def describe_machine() -> str:
    """E.g. ``2-core CPU box (Intel Xeon ..., 23 GiB)``; a visible CUDA GPU is named instead."""
    gpu = _gpu_name()
    if gpu:
        return gpu
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    if hasattr(os, "sysconf") and "SC_PHYS_PAGES" in os.sysconf_names:
        memory = f", {os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB"
    return f"{os.cpu_count()}-core CPU box ({model}{memory})"


def _gpu_name() -> str | None:
    """Only asks torch when it is already imported: describing the machine must not load CUDA."""
    import sys

    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        return f"{torch.cuda.device_count()}x {torch.cuda.get_device_name(0)}"
    return None
