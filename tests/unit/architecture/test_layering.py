"""Dependencies point down: production never imports QA tooling, the consent core no storage."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

IVR = Path(__file__).resolve().parents[3] / "ivr"


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


# QA tooling and the simulator drive real calls for tests and operators' checks.
QA = ("ivr/qa/", "ivr/simulate/", "ivr/cli/simulate_cmd.py")


@pytest.mark.parametrize("path", modules(IVR), ids=lambda p: str(p.relative_to(IVR.parent)))
def test_no_production_module_imports_qa_tooling(path: Path) -> None:
    if str(path.relative_to(IVR.parent)).startswith(QA):
        return
    assert not {m for m in imports_of(path) if m.startswith("ivr.qa")}


@pytest.mark.parametrize(
    "path", modules(IVR / "consent"), ids=lambda p: str(p.relative_to(IVR.parent))
)
def test_the_consent_core_imports_no_storage_nor_io(path: Path) -> None:
    forbidden = ("ivr.ledger", "ivr.ami", "ivr.service", "ivr.web", "asyncio", "sqlite3")
    assert not {m for m in imports_of(path) if m.startswith(forbidden)}
