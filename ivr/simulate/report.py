"""The end of a run: the terminal table, the JSON report and the JUnit XML report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ivr.simulate.model import Call
from ivr.simulate.observed import Observed
from ivr.simulate.verdict import expected_summary, observed_summary


@dataclass(frozen=True)
class Result:
    call: Call
    seen: Observed
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "call": self.call.name,
            "file": str(self.call.source),
            "line": self.call.line,
            "number": self.call.number,
            "verdict": "pass" if self.passed else "fail",
            "expected": expected_summary(self.call.expect),
            "observed": self.seen.to_json(),
            "mismatches": list(self.problems),
        }


def table(results: list[Result]) -> str:
    rows = [("call", "expected", "observed", "verdict")]
    for r in results:
        verdict = "PASS" if r.passed else "FAIL"
        rows.append(
            (r.call.name, expected_summary(r.call.expect), observed_summary(r.seen), verdict)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for r in results:
        lines += [f"{r.call.name} ({r.call.source}:{r.call.line}): {p}" for p in r.problems]
    passed = sum(r.passed for r in results)
    lines.append(f"{passed}/{len(results)} calls passed")
    return "\n".join(lines)


def to_json(results: list[Result]) -> dict[str, Any]:
    passed = sum(r.passed for r in results)
    return {
        "summary": {"calls": len(results), "passed": passed, "failed": len(results) - passed},
        "calls": [r.to_json() for r in results],
    }


def write_json(results: list[Result], path: Path) -> None:
    path.write_text(json.dumps(to_json(results), indent=2) + "\n", encoding="utf-8")


def junit(results: list[Result]) -> ET.Element:
    """One <testsuite> per scenario file, one <testcase> per call."""
    root = ET.Element("testsuites", name="ivr simulate")
    suites: dict[Path, ET.Element] = {}
    for r in results:
        suite = suites.get(r.call.source)
        if suite is None:
            suite = suites[r.call.source] = ET.SubElement(
                root, "testsuite", name=str(r.call.source)
            )
        case = ET.SubElement(suite, "testcase", name=r.call.name, classname=r.call.source.stem)
        case.set("time", f"{r.seen.seconds:.2f}")
        if not r.passed:
            failure = ET.SubElement(case, "failure", message=r.problems[0])
            failure.text = "\n".join(r.problems)
    for suite in suites.values():
        cases = list(suite)
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(sum(c.find("failure") is not None for c in cases)))
    return root


def write_junit(results: list[Result], path: Path) -> None:
    tree = ET.ElementTree(junit(results))
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
