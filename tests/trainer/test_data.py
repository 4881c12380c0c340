"""Fashion-MNIST loading: IDX parsing, downloads from a local HTTP server (never the internet), cache, splits."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from core.trainer import data as fd
from core.trainer import download as dl

NAMES = list(dl.OFFICIAL_MD5)


def _idx_files(n_train: int = 40, n_test: int = 20, seed: int = 0) -> tuple[dict[str, bytes], dict[str, np.ndarray]]:
    """Small official-format files: gzipped IDX images (n, 28, 28) and labels, every class present."""
    rng = np.random.default_rng(seed)
    arrays = {
        NAMES[0]: rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        NAMES[1]: (np.arange(n_train) % 10).astype(np.uint8),
        NAMES[2]: rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        NAMES[3]: (np.arange(n_test) % 10).astype(np.uint8),
    }
    return {name: gzip.compress(dl.encode_idx(a), mtime=0) for name, a in arrays.items()}, arrays


FILES, ARRAYS = _idx_files()
MD5S = {name: hashlib.md5(body).hexdigest() for name, body in FILES.items()}


class Server:
    """A local HTTP server: ``routes[path] = (status, body, delay_seconds)``; counts requests per path."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, bytes, float]] = {}
        self.hits: dict[str, int] = {}
        routes, hits = self.routes, self.hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                hits[self.path] = hits.get(self.path, 0) + 1
                status, body, delay = routes.get(self.path, (404, b"not found", 0.0))
                time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def mirror(self, prefix: str, files: dict[str, bytes] | None = None, status: int = 200, delay: float = 0.0) -> str:
        """Serve ``files`` under /prefix/ and return that base URL."""
        for name, body in (files if files is not None else FILES).items():
            self.routes[f"/{prefix}/{name}"] = (status, body, delay)
        return f"{self.url}/{prefix}/"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


def test_idx_round_trip_and_errors():
    a = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    assert np.array_equal(dl.parse_idx(dl.encode_idx(a)), a)
    raw = dl.encode_idx(a)
    with pytest.raises(ValueError, match="magic"):
        dl.parse_idx(b"\x01" + raw[1:])
    with pytest.raises(ValueError, match="payload"):
        dl.parse_idx(raw[:-5])  # a partial file
    with pytest.raises(ValueError, match="element type"):
        dl.parse_idx(raw[:2] + b"\x0d" + raw[3:])


def test_fetch_from_local_mirror_reports_progress_and_verifies(server, tmp_path):
    base = server.mirror("good")
    seen: list[tuple[str, float]] = []
    paths = dl.fetch_official(tmp_path, [base], MD5S, progress=lambda m, f: seen.append((m, f)), backoff=0)
    assert set(paths) == set(NAMES)
    assert all(dl.md5_of(p) == MD5S[n] for n, p in paths.items())
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and 0.0 <= fractions[0] < 1.0
    assert any("Downloading" in m for m, _ in seen)
    # a second fetch finds the verified files and asks the server for nothing
    before = dict(server.hits)
    dl.fetch_official(tmp_path, [base], MD5S, backoff=0)
    assert server.hits == before


def test_404_falls_back_to_the_next_mirror(server, tmp_path):
    bad = f"{server.url}/missing/"
    good = server.mirror("good")
    dl.fetch_official(tmp_path, [bad, good], MD5S, backoff=0, retries=1)
    assert server.hits[f"/missing/{NAMES[0]}"] == 1
    assert (tmp_path / NAMES[0]).is_file()


def test_corrupt_file_is_rejected_and_refetched_from_a_good_mirror(server, tmp_path):
    corrupt = server.mirror("corrupt", {n: b[:-10] + b"0123456789" for n, b in FILES.items()})
    good = server.mirror("good")
    (tmp_path / NAMES[0]).write_bytes(FILES[NAMES[0]][:100])  # a partial file left by an earlier run
    dl.fetch_official(tmp_path, [corrupt, good], MD5S, backoff=0, retries=1)
    assert dl.md5_of(tmp_path / NAMES[0]) == MD5S[NAMES[0]]
    assert not list(tmp_path.glob("*.part"))


def test_only_corrupt_mirrors_end_in_a_clear_error(server, tmp_path):
    corrupt = server.mirror("corrupt", {n: b"garbage" for n in FILES})
    with pytest.raises(dl.DownloadError) as err:
        dl.fetch_official(tmp_path, [corrupt], MD5S, backoff=0, retries=2)
    text = str(err.value)
    assert "MD5" in text and "FASHION_MNIST_NPZ" in text and "--data" in text
    assert server.hits[f"/corrupt/{NAMES[0]}"] == 2  # retried


def test_slow_server_times_out_instead_of_hanging(server, tmp_path):
    slow = server.mirror("slow", delay=3.0)
    started = time.monotonic()
    with pytest.raises(dl.DownloadError, match="timed out"):
        dl.download_file(NAMES[1], tmp_path, MD5S[NAMES[1]], [slow], timeout=0.3, retries=2, backoff=0)
    assert time.monotonic() - started < 2.5


def test_all_404_says_how_to_work_offline(server, tmp_path):
    with pytest.raises(dl.DownloadError, match="offline"):
        dl.fetch_official(tmp_path, [f"{server.url}/nothing/"], MD5S, backoff=0, retries=1)


def test_cache_is_built_once_and_rebuilt_when_corrupt(server, tmp_path, monkeypatch):
    monkeypatch.delenv(dl.NPZ_ENV, raising=False)  # CI points it at the real data; this test is about the cache
    base = server.mirror("good")
    data = fd.load_cached_or_download(tmp_path, mirrors=(base,), md5s=MD5S, backoff=0)
    assert data.images.shape == (60, 28, 28) and data.n_official_train == 40
    assert np.array_equal(data.images[:40], ARRAYS[NAMES[0]]) and np.array_equal(data.labels[40:], ARRAYS[NAMES[3]])
    cache = tmp_path / fd.CACHE_FILE
    assert cache.is_file() and fd.cache_status(tmp_path) == "cached"
    hits = sum(server.hits.values())
    again = fd.load_cached_or_download(tmp_path, mirrors=(base,), md5s=MD5S, backoff=0)
    assert sum(server.hits.values()) == hits and np.array_equal(again.images, data.images)
    cache.write_bytes(b"not a zip file")  # corrupt cache: rebuilt from the verified IDX files
    rebuilt = fd.load_cached_or_download(tmp_path, mirrors=(base,), md5s=MD5S, backoff=0)
    assert np.array_equal(rebuilt.labels, data.labels) and sum(server.hits.values()) == hits


def test_mirrors_and_cache_dir_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(dl.MIRRORS_ENV, "http://127.0.0.1:9/a/, http://127.0.0.1:9/b/")
    monkeypatch.setenv(dl.CACHE_ENV, str(tmp_path / "c"))
    assert dl.mirrors_from_env() == ("http://127.0.0.1:9/a/", "http://127.0.0.1:9/b/")
    assert dl.default_cache_dir() == (tmp_path / "c").resolve()
    monkeypatch.delenv(dl.MIRRORS_ENV)
    assert dl.mirrors_from_env() == dl.MIRRORS


def _npz(path: Path, n_per_class: int = 40, **extra) -> Path:
    rng = np.random.default_rng(1)
    labels = np.repeat(np.arange(10, dtype=np.uint8), n_per_class)
    np.savez(path, images=rng.integers(0, 256, (labels.size, 28, 28), dtype=np.uint8), labels=labels, **extra)
    return path


def test_npz_relative_path_env_var_and_idx_folder(tmp_path, monkeypatch):
    _npz(tmp_path / "small.npz")
    monkeypatch.chdir(tmp_path)
    assert len(fd.load_npz("small.npz").labels) == 400
    monkeypatch.setenv(dl.NPZ_ENV, "small.npz")  # CI sets a path relative to the repository root
    data = fd.load_fashion_mnist()
    assert data.images.dtype == np.uint8 and "small.npz" in data.source and data.n_official_train is None
    for name, body in FILES.items():
        (tmp_path / name).write_bytes(body)
    assert fd.load_fashion_mnist(tmp_path).n_official_train == 40


@pytest.mark.parametrize(
    "images, labels, match",
    [
        (np.zeros((5, 28, 28), np.float32), np.zeros(5), "uint8"),
        (np.zeros((5, 27, 28), np.uint8), np.zeros(5), "shape"),
        (np.zeros((5, 28, 28), np.uint8), np.zeros(4), "labels"),
        (np.zeros((5, 28, 28), np.uint8), np.full(5, 10), "0..9"),
    ],
)
def test_bad_npz_gets_a_clear_error(tmp_path, images, labels, match):
    np.savez(tmp_path / "bad.npz", images=images, labels=labels)
    with pytest.raises(ValueError, match=match):
        fd.load_npz(tmp_path / "bad.npz")


def test_missing_npz_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        fd.load_fashion_mnist(tmp_path / "nope.npz")


def test_stratified_split_is_seeded_and_balanced(tmp_path):
    data = fd.load_npz(_npz(tmp_path / "s.npz", n_per_class=40))
    s = fd.prepare(data, seed=3, val_fraction=0.1)
    assert s.X_train.shape[1] == 784 and s.X_train.dtype == np.uint8
    assert np.bincount(s.y_test, minlength=10).tolist() == [10] * 10  # 25% of every class
    assert len(s.y_train) + len(s.y_val) == 300 and np.bincount(s.y_val).min() >= 2
    again = fd.prepare(data, seed=3, val_fraction=0.1)
    assert np.array_equal(s.X_test, again.X_test) and np.array_equal(s.y_val, again.y_val)
    other = fd.prepare(data, seed=4, val_fraction=0.1)
    assert not np.array_equal(s.X_test, other.X_test)
    rows = {r.tobytes() for r in s.X_train} | {r.tobytes() for r in s.X_val}
    assert not rows & {r.tobytes() for r in s.X_test}  # no image in two splits
    assert fd.prepare(data, scale=False).scale is False
    limited = fd.prepare(data, train_limit=100, val_fraction=0.2)
    assert len(limited.y_train) + len(limited.y_val) == 100 and len(limited.y_test) == 100


def test_official_split_needs_official_order(tmp_path):
    data = fd.load_npz(_npz(tmp_path / "s.npz"))
    with pytest.raises(ValueError, match="official"):
        fd.prepare(data, split="official")
    with pytest.raises(ValueError, match="stratified, official"):
        fd.prepare(data, split="random")
    official = fd.load_npz(_npz(tmp_path / "o.npz", n_official_train=300))
    s = fd.prepare(official, split="official", val_fraction=0.0)
    assert len(s.y_train) == 300 and len(s.y_test) == 100


def test_gallery_has_one_image_per_class(tmp_path):
    data = fd.load_npz(_npz(tmp_path / "s.npz"))
    gallery = fd.sample_gallery(data, per_class=2)
    assert [label for _, label in gallery] == [k for k in range(10) for _ in range(2)]


REAL = os.environ.get(dl.NPZ_ENV)


@pytest.mark.skipif(not REAL, reason="FASHION_MNIST_NPZ is not set (CI points it at ../shared/data/fashion-mnist-70k.npz)")
def test_real_data_loads_and_splits_like_the_lecture():
    data = fd.load_fashion_mnist()
    assert data.images.shape == (70_000, 28, 28) and np.bincount(data.labels).tolist() == [7000] * 10
    s = fd.prepare(data, val_fraction=0.0)
    assert (len(s.y_train), len(s.y_test)) == (52_500, 17_500)
    assert np.bincount(s.y_test).tolist() == [1750] * 10
