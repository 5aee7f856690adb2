"""The wheel builds without warnings and works installed on its own: no source tree, no dev extra.

Installing the runtime dependencies from an index would take minutes, so the fresh virtual environment sees
only the runtime dependencies' files of this one (found from the wheel's own metadata), through a .pth file:
a module that imports a dev-only package (pytest, websockets, yaml …) fails here as it would for a user.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[1]
UNPACKAGED = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.db*", ".env", ".*_cache")
IMPORT_EVERY_MODULE = """
import importlib, sys
failed = []
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception as error:
        failed.append(f"{name}: {type(error).__name__}: {error}")
print("\\n".join(failed))
"""

pytestmark = pytest.mark.skipif(
    bool(POSTGRES_URL), reason="builds and installs the wheel once, in the SQLite run (no database involved)"
)


def runtime_distributions(requirements: list[str]) -> set[str]:
    """The distributions these requirements install, transitively, without any extra not asked for."""
    seen: set[str] = set()
    pending = [(Requirement(text), frozenset[str]()) for text in requirements]
    while pending:
        requirement, extras = pending.pop()
        if requirement.marker is not None and not any(
            requirement.marker.evaluate({"extra": extra}) for extra in (extras or {""})
        ):
            continue
        name = requirement.name.lower().replace("_", "-")
        key = f"{name}[{','.join(sorted(requirement.extras))}]"
        if key in seen:
            continue
        seen.add(key)
        nested = importlib.metadata.requires(requirement.name) or []
        pending += [(Requirement(text), frozenset(requirement.extras)) for text in nested]
    return {key.split("[")[0] for key in seen}


def only_runtime_site_packages(target: Path, wheel: Path) -> Path:
    """A folder of links to the files of the wheel's runtime dependencies as installed here."""
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(name for name in archive.namelist() if name.endswith(".dist-info/METADATA"))
        lines = archive.read(metadata).decode().splitlines()
    requirements = [line.removeprefix("Requires-Dist: ") for line in lines if line.startswith("Requires-Dist: ")]
    target.mkdir()
    for name in runtime_distributions(requirements):
        distribution = importlib.metadata.distribution(name)
        site = Path(str(distribution.locate_file("")))
        for top in {Path(str(file)).parts[0] for file in distribution.files or [] if not str(file).startswith("..")}:
            if (site / top).exists() and not (target / top).exists():
                (target / top).symlink_to(site / top)
    return target


def test_the_wheel_builds_without_warnings_and_works_installed_without_the_dev_extra(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")}
    # A copy of the tree, so no earlier build's leftovers (build/, *.egg-info) end up in the wheel.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*UNPACKAGED))
    built = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path / "dist"), str(source)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    output = built.stdout + built.stderr
    assert [line for line in output.splitlines() if "warning" in line.lower()] == []
    [wheel] = (tmp_path / "dist").glob("*.whl")

    fresh = tmp_path / "fresh"
    venv.create(fresh, with_pip=False)
    python = fresh / "bin" / "python"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", str(wheel)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert installed.returncode == 0, installed.stderr
    site = next((fresh / "lib").glob("python3*/site-packages"))
    dependencies = only_runtime_site_packages(tmp_path / "runtime", wheel)
    (site / "runtime-dependencies.pth").write_text(f"{dependencies}\n")

    with zipfile.ZipFile(wheel) as archive:
        modules = sorted(
            name.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
            for name in archive.namelist()
            if name.endswith(".py") and "/migrations/" not in name
        )
    assert {"bot.cli", "bot.setup.init", "storage.migrate", "handlers.commands"} <= set(modules)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    imported = subprocess.run(
        [str(python), "-c", IMPORT_EVERY_MODULE, *modules], capture_output=True, text=True, cwd=outside, timeout=120
    )
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip().splitlines() == [], "every module imports without the dev extra"

    script = fresh / "bin" / "xero-expense-bot"
    run = {"cwd": outside, "capture_output": True, "text": True, "timeout": 60}
    key = subprocess.run([str(script), "keygen"], **run).stdout.strip()  # type: ignore[call-overload]
    migrate_env = {"PATH": env.get("PATH", ""), "ENCRYPTION_KEY": key, "DATABASE_URL": "sqlite:///installed.db"}
    migrated = subprocess.run([str(script), "migrate"], env=migrate_env, **run)  # type: ignore[call-overload]
    assert (migrated.returncode, migrated.stdout) == (0, "database schema is up to date\n"), migrated.stderr
