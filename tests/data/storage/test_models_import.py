"""Each ORM model module can be imported alone (the package no longer imports them all, so
that ``silkhub countries show`` declares only the reference tables): its foreign keys resolve
and its mappers configure, in a fresh process holding nothing else."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from silkhub.data.storage import models

_PROBE = """
import importlib, sys
from sqlalchemy.orm import configure_mappers
from silkhub.data.storage.base import Base
importlib.import_module("silkhub.data.storage.models." + sys.argv[1])
for table in Base.metadata.tables.values():
    for fk in table.foreign_keys:
        fk.column  # raises NoReferencedTableError when the target's module was not imported
configure_mappers()
print(len(Base.metadata.tables))
"""


def test_modules_lists_every_model_module() -> None:
    files = {p.stem for p in Path(models.__file__).parent.glob("*.py") if p.stem != "__init__"}
    assert set(models.MODULES) == files


@pytest.mark.parametrize("name", models.MODULES)
def test_model_module_imports_alone(name: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, name], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert int(proc.stdout.strip()) > 0
