"""core/ is pure computation: it never imports streamlit, directly or through another module."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE_FILES = sorted((ROOT / "core").rglob("*.py"))


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_has_modules():
    assert len(CORE_FILES) >= 8


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_file_never_imports_streamlit(path):
    assert "streamlit" not in _imported_modules(path)


def test_importing_all_of_core_loads_no_streamlit():
    modules = [".".join(p.relative_to(ROOT).with_suffix("").parts) for p in CORE_FILES]
    modules = [m.removesuffix(".__init__").removesuffix(".__main__") for m in modules if not m.endswith("__main__")]
    code = "import importlib, sys\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules)
    code += "assert 'streamlit' not in sys.modules, 'streamlit was imported'\n"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)


ENGINE_FILES = sorted((ROOT / "core" / "engine").rglob("*.py"))


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_engine_file_never_imports_torch(path):
    assert "torch" not in _imported_modules(path)


def test_importing_all_of_the_engine_loads_no_torch():
    """core/engine is the NumPy engine: not even a module it imports may pull torch in."""
    modules = [".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__") for p in ENGINE_FILES]
    assert len(modules) >= 10
    code = "import importlib, sys\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules)
    code += "assert 'torch' not in sys.modules, 'torch was imported'\n"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)
