"""docs/admin.md as the steps an administrator follows: each step is an HTML comment marker
``<!-- admin-path: KIND [ARGUMENT] -->`` and the fenced block right after it, in page order.

Kinds: ``shell`` (run as written), ``append FILE`` and ``section FILE [name]`` (lines added to
a configuration file, at its end or under a section header), ``before-dial`` (the line added to
the inbound context), ``ledger`` (commands run after the calls), ``emulated WHAT`` (needs root
on a real system: the test does its equivalent)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ADMIN_DOC = Path(__file__).resolve().parents[2] / "docs" / "admin.md"
_MARKER = re.compile(r"<!-- admin-path: (\S+)(?: ([^\n]*?))? -->\n```[a-z]*\n(.*?)```", re.DOTALL)
KINDS = {"shell", "append", "section", "before-dial", "ledger", "emulated"}


@dataclass(frozen=True)
class Step:
    kind: str
    argument: str
    text: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.text.splitlines() if line.strip()]


def steps(page: Path = ADMIN_DOC) -> list[Step]:
    text = page.read_text(encoding="utf-8")
    found = [Step(m[1], m[2] or "", m[3]) for m in _MARKER.finditer(text)]
    unknown = {step.kind for step in found} - KINDS
    assert not unknown, f"{page}: unknown admin-path steps {unknown}"
    assert text.count("<!-- admin-path:") == len(found), f"{page}: a marker without its block"
    return found


def append(config: Path, step: Step) -> None:
    with config.open("a", encoding="utf-8") as handle:
        handle.write("\n" + step.text)


def under_section(config: Path, section: str, step: Step) -> None:
    """The step's lines right under the ``section`` header of ``config`` (which must have it)."""
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(i for i, line in enumerate(lines) if line.strip() == section)
    lines[header + 1 : header + 1] = [line + "\n" for line in step.lines]
    config.write_text("".join(lines), encoding="utf-8")


def before_dial(config: Path, context: str, step: Step) -> None:
    """The step's line before the first ``Dial`` of ``context`` in ``config``."""
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index(f"[{context}]\n")
    dial = next(i for i in range(start, len(lines)) if ",Dial(" in lines[i])
    lines[dial:dial] = [line + "\n" for line in step.lines]
    config.write_text("".join(lines), encoding="utf-8")
