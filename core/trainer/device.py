"""Which compute device torch would use: CUDA, then Apple MPS, then CPU."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeviceInfo:
    """The device torch picks for ``auto`` and a one-line human description."""

    kind: str  # "cuda", "mps" or "cpu"
    description: str
    torch_version: str


def detect_device() -> DeviceInfo:
    """Probe torch for CUDA, then MPS, then fall back to the CPU (imports torch: call lazily)."""
    import torch

    if torch.cuda.is_available():
        name = torch.cuda.get_device_name(0)
        return DeviceInfo("cuda", f"CUDA GPU: {name}", torch.__version__)
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return DeviceInfo("mps", "Apple GPU (Metal Performance Shaders)", torch.__version__)
    return DeviceInfo("cpu", f"CPU ({torch.get_num_threads()} threads)", torch.__version__)
