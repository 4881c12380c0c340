"""Fashion-MNIST as the lecture prepares it: load (npz, IDX folder or download + cache), split, scale.

Images stay uint8 (N, 784) in memory; the trainer turns a batch into floats (and scales it to
[0, 1]) on the device, so one copy of the data costs 55 MB instead of 220 MB.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.trainer import download as dl
from core.trainer.download import NPZ_ENV, OFFICIAL_MD5, Progress, default_cache_dir, read_idx_gz

CLASS_NAMES: tuple[str, ...] = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip
CACHE_FILE = "fashion-mnist-uint8.npz"
SPLITS = ("stratified", "official")


@dataclass(frozen=True)
class FashionMNIST:
    """All images (N, 28, 28) uint8 and labels (N,) int64; ``n_official_train`` rows first if official order."""

    images: np.ndarray  # (N, 28, 28) uint8
    labels: np.ndarray  # (N,) int64 in 0..9
    source: str  # where it came from, with its path (for the CLI; pages show ``origin``)
    n_official_train: int | None = None  # 60000 when rows are the official train files then the test files
    origin: str = "local file"  # path-free: "local file", "official files, downloaded" or "official files, cache"

    def describe(self) -> str:
        """'70,000 images (55 MB) · local file': size and origin, never a server path."""
        mb = (self.images.nbytes + self.labels.nbytes) / 1e6
        return f"{len(self.labels):,} images ({mb:,.0f} MB) · {self.origin}"


@dataclass(frozen=True)
class Splits:
    """Flattened uint8 images per split; ``scale`` says whether the trainer divides by 255."""

    X_train: np.ndarray  # (n_train, 784) uint8
    y_train: np.ndarray  # (n_train,) int64
    X_val: np.ndarray  # (n_val, 784) uint8
    y_val: np.ndarray  # (n_val,) int64
    X_test: np.ndarray  # (n_test, 784) uint8
    y_test: np.ndarray  # (n_test,) int64
    scale: bool = True

    def sizes(self) -> dict[str, int]:
        """Number of images per split."""
        return {"train": len(self.y_train), "val": len(self.y_val), "test": len(self.y_test)}


def _checked(images: np.ndarray, labels: np.ndarray, source: str) -> tuple[np.ndarray, np.ndarray]:
    """Validate shapes/dtypes/label range with a clear ValueError."""
    if images.ndim == 2 and images.shape[1] == 784:
        images = images.reshape(-1, 28, 28)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"{source}: `images` must have shape (N, 28, 28), got {images.shape}")
    if images.dtype != np.uint8:
        raise ValueError(f"{source}: `images` must be uint8 grey values 0..255, got {images.dtype}")
    labels = np.asarray(labels).astype(np.int64).reshape(-1)
    if len(labels) != len(images):
        raise ValueError(f"{source}: {len(images)} images but {len(labels)} labels")
    if len(labels) and (labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"{source}: labels must be class indices 0..9")
    return images, labels


def load_npz(path: str | os.PathLike) -> FashionMNIST:
    """Read an .npz with ``images`` (N, 28, 28) uint8 and ``labels`` (N,); relative paths resolve against cwd."""
    path = Path(path).expanduser().resolve()
    if not path.is_file():  # messages name the file, never its folder: pages show them
        raise FileNotFoundError(f"No Fashion-MNIST file named {path.name!r} (the path given is not a file)")
    with np.load(path) as data:
        missing = {"images", "labels"} - set(data.files)
        if missing:
            raise ValueError(f"{path.name} lacks {sorted(missing)}; it needs `images` (N, 28, 28) uint8 and `labels` (N,)")
        images, labels = _checked(data["images"], data["labels"], path.name)
        n_official = int(data["n_official_train"]) if "n_official_train" in data.files else None
    return FashionMNIST(images, labels, f"file {path}", n_official)


def load_idx_folder(folder: str | os.PathLike) -> FashionMNIST:
    """Read the four official IDX files (gzipped) from a folder; rows: 60k train then 10k test."""
    folder = Path(folder).expanduser().resolve()
    names = list(OFFICIAL_MD5)
    absent = [n for n in names if not (folder / n).is_file()]
    if absent:
        raise FileNotFoundError(f"the folder {folder.name!r} lacks {', '.join(absent)}")
    tr_x, tr_y, te_x, te_y = (read_idx_gz(folder / n) for n in names)
    images, labels = _checked(np.concatenate([tr_x, te_x]), np.concatenate([tr_y, te_y]), "official IDX files")
    return FashionMNIST(images, labels, f"official IDX files in {folder}", len(tr_y), "local official files")


def build_cache(folder: Path, cache_file: Path) -> FashionMNIST:
    """Convert the IDX files in ``folder`` once into a compact uint8 .npz (written atomically)."""
    data = load_idx_folder(folder)
    tmp = cache_file.with_suffix(".tmp.npz")
    np.savez(tmp, images=data.images, labels=data.labels.astype(np.uint8), n_official_train=data.n_official_train)
    os.replace(tmp, cache_file)
    return FashionMNIST(data.images, data.labels, f"official files, cached at {cache_file}", data.n_official_train,
                        "official files, downloaded")  # fmt: skip


def load_cached_or_download(
    cache_dir: str | os.PathLike | None = None,
    *,
    mirrors: tuple[str, ...] | None = None,
    md5s: dict[str, str] | None = None,
    progress: Progress | None = None,
    timeout: float = 30.0,
    retries: int = 3,
    backoff: float = 1.0,
) -> FashionMNIST:
    """The cached .npz if it is readable; else fetch (verified) IDX files and build it. Raises DownloadError."""
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    cache_file = folder / CACHE_FILE
    if cache_file.is_file():
        try:
            data = load_npz(cache_file)
            return FashionMNIST(data.images, data.labels, f"official files, cached at {cache_file}",
                                data.n_official_train, "official files, cache")  # fmt: skip
        except (ValueError, OSError, KeyError):
            cache_file.unlink(missing_ok=True)  # corrupt cache: rebuild it from verified files
    md5s = md5s or dl.OFFICIAL_MD5  # looked up now, so tests can serve their own small files
    dl.fetch_official(folder, mirrors, md5s, progress=progress, timeout=timeout, retries=retries, backoff=backoff)
    return build_cache(folder, cache_file)


def cache_status(cache_dir: str | os.PathLike | None = None) -> str:
    """'env' (FASHION_MNIST_NPZ set), 'cached' or 'missing': what the page reports before loading."""
    if os.environ.get(NPZ_ENV):
        return "env"
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return "cached" if (folder / CACHE_FILE).is_file() else "missing"


def load_fashion_mnist(path: str | os.PathLike | None = None, *, progress: Progress | None = None, **download_kw) -> FashionMNIST:
    """``path`` (an .npz or a folder of IDX files), else $FASHION_MNIST_NPZ, else the cache / a download."""
    chosen = path if path not in (None, "") else os.environ.get(NPZ_ENV) or None
    if chosen is not None:
        chosen = Path(chosen).expanduser()
        return load_idx_folder(chosen) if chosen.is_dir() else load_npz(chosen)
    return load_cached_or_download(progress=progress, **download_kw)


def _stratified(labels: np.ndarray, held_out: float | int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices (keep, held) with ``held_out`` (a fraction or a count) of every class held out, like
    ``train_test_split(..., stratify=y)``; a plain seeded shuffle when a class is too small to stratify."""
    from sklearn.model_selection import train_test_split

    index = np.arange(len(labels))
    try:
        keep, held = train_test_split(index, test_size=held_out, stratify=labels, random_state=seed)
    except ValueError:
        keep, held = train_test_split(index, test_size=held_out, random_state=seed)
    return np.sort(keep), np.sort(held)


def prepare(
    data: FashionMNIST,
    *,
    split: str = "stratified",
    test_fraction: float = 0.25,
    val_fraction: float = 0.1,
    scale: bool = True,
    seed: int = 0,
    train_limit: int | None = None,
) -> Splits:
    """The lecture's preparation: flatten to 784, stratified 25% test split, a validation split from train.

    ``split="official"`` uses the 60k/10k files instead (only when the data came in official order);
    ``train_limit`` keeps a stratified subset of the training part (for quick demos and tests).
    """
    fit_idx, val_idx, test_idx = split_indices(data, split=split, test_fraction=test_fraction,
                                               val_fraction=val_fraction, seed=seed, train_limit=train_limit)  # fmt: skip
    X = data.images.reshape(len(data.images), 784)  # (N, 784) uint8, a view
    y = data.labels
    return Splits(X[fit_idx], y[fit_idx], X[val_idx], y[val_idx], X[test_idx], y[test_idx], scale)


def split_indices(
    data: FashionMNIST,
    *,
    split: str = "stratified",
    test_fraction: float = 0.25,
    val_fraction: float = 0.1,
    seed: int = 0,
    train_limit: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row numbers of the data set in (train, validation, test), as ``prepare`` splits them."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    if not 0.0 < test_fraction < 1.0 or not 0.0 <= val_fraction < 1.0:
        raise ValueError("test_fraction must be in (0, 1) and val_fraction in [0, 1)")
    y = data.labels
    if split == "official":
        if data.n_official_train is None:
            raise ValueError(
                f"the official 60k/10k split needs the official files; this {data.origin} has no train/test membership "
                "(use split='stratified')"
            )
        train_idx, test_idx = np.arange(data.n_official_train), np.arange(data.n_official_train, len(y))
    else:
        train_idx, test_idx = _stratified(y, test_fraction, seed)
    if train_limit is not None and 0 < train_limit < len(train_idx):
        keep, _ = _stratified(y[train_idx], len(train_idx) - train_limit, seed + 1)
        train_idx = train_idx[keep]
    if val_fraction > 0:
        fit, val = _stratified(y[train_idx], val_fraction, seed + 2)
        fit_idx, val_idx = train_idx[fit], train_idx[val]
    else:
        fit_idx, val_idx = train_idx, train_idx[:0]
    return fit_idx, val_idx, test_idx


def sample_gallery(data: FashionMNIST, per_class: int = 1, seed: int = 0) -> list[tuple[np.ndarray, int]]:
    """``per_class`` random images of each class as (image (28, 28) uint8, label) pairs, class by class."""
    rng = np.random.default_rng(seed)
    out: list[tuple[np.ndarray, int]] = []
    for k in range(len(CLASS_NAMES)):
        idx = np.flatnonzero(data.labels == k)
        for i in rng.choice(idx, size=min(per_class, len(idx)), replace=False):
            out.append((data.images[i], k))
    return out
