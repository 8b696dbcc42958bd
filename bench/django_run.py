"""Driving the django-tenants side from the harness: its own virtual environment, a copy of the Django project
with store models generated from Loupe's metadata, a database of its own on the same PostgreSQL server.

The virtual environment is `bench/.venv-django` (git-ignored), built from `bench/django_side/requirements.txt`
(pinned) and rebuilt when that file changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from bench.django_side.generate import render_bench_migration, render_models

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv-django"
REQUIREMENTS = HERE / "django_side" / "requirements.txt"
PYTHON = VENV / "bin" / "python"


def ensure_venv() -> dict[str, str]:
    """Create or refresh the Django venv; returns the installed versions of the pinned packages."""
    stamp = VENV / (".installed-" + hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:12])
    if not stamp.exists():
        print("  building bench/.venv-django (Django + django-tenants, pinned)", file=sys.stderr, flush=True)
        if VENV.exists():
            shutil.rmtree(VENV)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(REQUIREMENTS)],
            check=True,
        )
        stamp.touch()
    pins = {}
    for line in REQUIREMENTS.read_text().split():
        name, _, version = line.partition("==")
        pins[name] = version
    return pins


class DjangoSide:
    """The Django project copied into `workdir`, pointed at database `dbname` on the server at `socket_dir`."""

    def __init__(self, owner: sa.Engine, socket_dir: str, workdir: Path, dbname: str = "djangobench") -> None:
        self.versions = ensure_venv()
        self.workdir = workdir
        self.migration_count = 1
        shutil.copytree(HERE / "django_side", workdir, ignore=shutil.ignore_patterns("__pycache__", "generate.py"))
        (workdir / "store" / "models.py").write_text(render_models())
        with owner.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {dbname}")
            conn.exec_driver_sql(f"CREATE DATABASE {dbname}")
        self.env = {**os.environ, "DJ_DB_HOST": socket_dir, "DJ_DB_NAME": dbname, "PYTHONPATH": str(workdir)}
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        subprocess.run(
            [str(PYTHON), "manage.py", "makemigrations", "customers", "store", "--verbosity", "0"],
            cwd=workdir,
            env=self.env,
            check=True,
        )
        self.run("shared")

    def run(self, *args: str) -> dict:
        out = subprocess.run(
            [str(PYTHON), "driver.py", *args],
            cwd=self.workdir,
            env=self.env,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    def provision(self, start: int, count: int) -> list[float]:
        return self.run("provision", str(start), str(count))["ms"]

    def drop(self, start: int, count: int) -> None:
        self.run("drop", str(start), str(count))

    def migrate(self, *, multiprocessing: bool = False) -> float:
        args = ["migrate", "--executor", "multiprocessing"] if multiprocessing else ["migrate"]
        return self.run(*args)["seconds"]

    def add_bench_migration(self) -> str:
        """Write the next bench migration (a column + an index on police_contacts); returns its name."""
        migrations = self.workdir / "store" / "migrations"
        previous = sorted(p.stem for p in migrations.glob("0*.py"))[-1]
        self.migration_count += 1
        name = f"{self.migration_count:04d}_bench_badge_{self.migration_count}"
        column = f"badge_{self.migration_count}"
        (migrations / f"{name}.py").write_text(render_bench_migration(previous, column))
        return name
