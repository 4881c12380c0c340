"""Fetching the official Fashion-MNIST IDX files: mirrors, MD5 checks, retries, timeouts, progress.

Everything a test needs to replace is a parameter (mirror URLs, expected MD5s, timeout, retries),
so the tests can serve small files from a local HTTP server and never touch the internet.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

# name -> published MD5 of the gzipped file (the ones torchvision and Keras check).
OFFICIAL_MD5: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}
# Approximate sizes, only to weight the overall progress fraction.
OFFICIAL_SIZES: dict[str, int] = {
    "train-images-idx3-ubyte.gz": 26_421_880,
    "train-labels-idx1-ubyte.gz": 29_515,
    "t10k-images-idx3-ubyte.gz": 4_422_102,
    "t10k-labels-idx1-ubyte.gz": 5_148,
}
MIRRORS: tuple[str, ...] = (
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",  # torchvision's mirror
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",  # Keras's mirror
    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",  # Zalando's repo
)
CACHE_ENV = "FASHION_MNIST_CACHE"
MIRRORS_ENV = "FASHION_MNIST_MIRRORS"  # comma-separated base URLs that replace MIRRORS (e.g. a local mirror)
NPZ_ENV = "FASHION_MNIST_NPZ"

# progress(message, fraction in [0, 1]); fraction covers all files of one fetch together.
Progress = Callable[[str, float], None]


class DownloadError(RuntimeError):
    """Every mirror and retry failed; the message says how to provide the data offline."""


def offline_instructions(cache: Path | None = None) -> str:
    """How to give the app the data without a working download (``cache`` None: the folder is not named)."""
    where = cache if cache is not None else "the download cache folder (FASHION_MNIST_CACHE)"
    return (
        "To work offline, either (a) point the environment variable FASHION_MNIST_NPZ (or the CLI's --data) "
        "at an .npz file with `images` (N, 28, 28) uint8 and `labels` (N,), or (b) download the four files "
        f"{', '.join(OFFICIAL_MD5)} from https://github.com/zalandoresearch/fashion-mnist into {where} "
        "(or pass that folder as --data)."
    )


def mirrors_from_env() -> tuple[str, ...]:
    """$FASHION_MNIST_MIRRORS (comma-separated base URLs) if set, else the public MIRRORS."""
    raw = os.environ.get(MIRRORS_ENV, "")
    chosen = tuple(m.strip() for m in raw.split(",") if m.strip())
    return chosen or MIRRORS


def default_cache_dir() -> Path:
    """$FASHION_MNIST_CACHE, else $XDG_CACHE_HOME/how-to-train-your-neurons/fashion-mnist, else ~/.cache/...."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "how-to-train-your-neurons" / "fashion-mnist"


def md5_of(path: Path) -> str:
    """Hex MD5 of a file, read in 1 MiB chunks."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _stream(url: str, part: Path, timeout: float, deadline: float, on_bytes: Callable[[int, int | None], None]) -> None:
    """Copy ``url`` into ``part``; socket timeout per read plus an overall deadline (no silent hang)."""
    request = urllib.request.Request(url, headers={"User-Agent": "how-to-train-your-neurons"})
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=timeout) as response, open(part, "wb") as out:
        total = response.headers.get("Content-Length")
        total_bytes = int(total) if total and total.isdigit() else None
        done = 0
        while chunk := response.read(1 << 16):
            out.write(chunk)
            done += len(chunk)
            on_bytes(done, total_bytes)
            if time.monotonic() - started > deadline:
                raise TimeoutError(f"download took longer than {deadline:.0f} s")
        if total_bytes is not None and done != total_bytes:
            raise OSError(f"connection closed after {done} of {total_bytes} bytes")


def download_file(
    name: str,
    dest_dir: Path,
    md5: str,
    mirrors: Sequence[str] = MIRRORS,
    *,
    timeout: float = 30.0,
    retries: int = 3,
    backoff: float = 1.0,
    deadline: float = 900.0,
    on_bytes: Callable[[int, int | None], None] | None = None,
    on_try: Callable[[str, int], None] | None = None,
) -> Path:
    """Fetch ``name`` into ``dest_dir`` from the first mirror that serves a file with the right MD5.

    A file already there with the right MD5 is kept; a partial or corrupt one is fetched again.
    Each round tries every mirror in order; ``retries`` rounds, ``backoff``·round seconds apart.
    """
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / name
    if dest.exists() and md5_of(dest) == md5:
        return dest
    part = dest_dir / (name + ".part")
    errors: list[str] = []
    for attempt in range(1, max(1, retries) + 1):
        for mirror in mirrors:
            url = mirror.rstrip("/") + "/" + name
            if on_try is not None:
                on_try(url, attempt)
            try:
                _stream(url, part, timeout, deadline, on_bytes or (lambda done, total: None))
            except (urllib.error.URLError, OSError, TimeoutError, ValueError) as exc:
                reason = getattr(exc, "reason", None) or exc
                errors.append(f"{url} (try {attempt}): {reason}")
                continue
            got = md5_of(part)
            if got != md5:
                errors.append(f"{url} (try {attempt}): MD5 {got} != expected {md5} (corrupt or partial file)")
                continue
            os.replace(part, dest)
            return dest
        if attempt < retries and backoff > 0:
            time.sleep(backoff * attempt)
    part.unlink(missing_ok=True)
    raise DownloadError(
        f"Could not download {name} from any mirror.\n  " + "\n  ".join(errors[-6:]) + "\n" + offline_instructions()
    )


def fetch_official(
    dest_dir: Path,
    mirrors: Sequence[str] | None = None,
    md5s: Mapping[str, str] = OFFICIAL_MD5,
    *,
    progress: Progress | None = None,
    timeout: float = 30.0,
    retries: int = 3,
    backoff: float = 1.0,
) -> dict[str, Path]:
    """Download every file in ``md5s`` (verified) into ``dest_dir``; reports overall progress.

    ``mirrors`` defaults to $FASHION_MNIST_MIRRORS or the public MIRRORS.
    """
    mirrors = tuple(mirrors) if mirrors else mirrors_from_env()
    weights = {name: OFFICIAL_SIZES.get(name, 1) for name in md5s}
    total = float(sum(weights.values()))
    done_before = 0.0
    paths: dict[str, Path] = {}
    for name, md5 in md5s.items():

        def on_bytes(done: int, size: int | None, name: str = name, before: float = done_before) -> None:
            if progress is not None:
                share = done / size if size else min(done / weights[name], 1.0)
                progress(f"Downloading {name}: {done / 1e6:.1f} MB", min((before + share * weights[name]) / total, 1.0))

        if progress is not None:
            progress(f"Fetching {name}", done_before / total)
        def on_try(url: str, attempt: int, before: float = done_before) -> None:
            if progress is not None:
                progress(f"Connecting to {url}" + (f" (try {attempt})" if attempt > 1 else ""), before / total)

        paths[name] = download_file(
            name, dest_dir, md5, mirrors, timeout=timeout, retries=retries, backoff=backoff, on_bytes=on_bytes,
            on_try=on_try,
        )
        done_before += weights[name]
    if progress is not None:
        progress("All files verified", 1.0)
    return paths


# --- IDX format: big-endian magic (0, 0, dtype 0x08 = uint8, ndim), ndim uint32 sizes, raw data ----
def parse_idx(data: bytes) -> np.ndarray:
    """Decode an (uncompressed) IDX byte string into a uint8 array of the shape its header gives."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError("not an IDX file (bad magic number)")
    if data[2] != 0x08:
        raise ValueError(f"unsupported IDX element type 0x{data[2]:02x} (only 0x08 = uint8)")
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError("truncated IDX header")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    count = int(np.prod(shape)) if shape else 0
    if len(data) - header != count:
        raise ValueError(f"IDX payload has {len(data) - header} bytes, header promises {count} for shape {shape}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def encode_idx(array: np.ndarray) -> bytes:
    """The IDX bytes of a uint8 array (the inverse of ``parse_idx``; tests write files with it)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.tobytes()


def read_idx_gz(path: Path) -> np.ndarray:
    """Read a gzipped (or plain) IDX file."""
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return parse_idx(raw)
