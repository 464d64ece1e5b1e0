"""Reading scenario files: TOML in, validated ``Call``s out, or one error naming the file, the
line and the key. The format is documented in docs/qa-simulator.md."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from ivr.simulate.errors import ScenarioError
from ivr.simulate.locate import call_lines, key_line
from ivr.simulate.model import Anchor, Call, Expect, KeyPress, Moment, ScenarioFile, Transfer

CALL_KEYS = {
    "name",
    "repeat",
    "number",
    "language",
    "profile",
    "voice",
    "agent",
    "keys",
    "hangup",
    "expect",
    "campaign",
    "supervisor",
}
AGENT_KEYS = {"answer", "talks", "hangup", "keys", "transfer"}
EXPECT_KEYS = {
    "recorded",
    "decision",
    "never_created",
    "objected_within",
    "steps",
    "events",
    "min_seconds",
    "profile",
    "paused",
    "outbound",
    "listen",
}
DECISIONS = {"kept", "objected", "not-recorded", "abandoned", "private"}
MAX_REPEAT = 200
MAX_KEYS = 32  # keys in one entry: a card number and then some
_DIGITS = re.compile(rf"[0-9*#A-D]{{1,{MAX_KEYS}}}")
_EXTEN = re.compile(r"[A-Za-z0-9*#+][A-Za-z0-9*#+._-]*")
_TRANSFER_TO = re.compile(r"[a-z0-9*][a-z0-9*._-]*")  # the carrier's agent-transfer pattern
_PROFILE = re.compile(r"[a-z][a-z0-9-]{0,31}")
_CAMPAIGN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")  # no dot: o.<campaign>.<number>
_VERDICT = re.compile(r"allowed|refused:[a-z-]+")


def load_paths(paths: Iterable[Path]) -> list[ScenarioFile]:
    """Every ``*.toml`` of the given files and folders (folders in name order)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(path.glob("*.toml"))
        elif path.is_file():
            files.append(path)
        else:
            raise ScenarioError(f"{path}: no such scenario file or folder")
    if not files:
        raise ScenarioError("no scenario file (*.toml) found in " + ", ".join(map(str, paths)))
    return [load(file) for file in files]


def load(path: Path) -> ScenarioFile:
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    return parse(path, text, data)


def parse(path: Path, text: str, data: dict[str, Any]) -> ScenarioFile:
    unknown = set(data) - {"call", "defaults"}
    if unknown:
        raise ScenarioError(f"{path}: unknown top-level key {sorted(unknown)[0]!r}")
    tables = data.get("call")
    if not isinstance(tables, list) or not tables:
        raise ScenarioError(f"{path}: no [[call]] table")
    defaults = data.get("defaults", {})
    lines = call_lines(text)
    calls: list[Call] = []
    for index, table in enumerate(tables):
        line = lines[index] if index < len(lines) else 1
        reader = _CallReader(path, text, line, {**defaults, **table})
        calls += reader.calls()
    _check_unique(path, calls)
    return ScenarioFile(path, tuple(calls))


def _check_unique(path: Path, calls: list[Call]) -> None:
    seen: set[str] = set()
    for call in calls:
        if call.name in seen:
            raise ScenarioError(f"{path}:{call.line}: call name {call.name!r} is used twice")
        seen.add(call.name)


class _CallReader:
    """One ``[[call]]`` table, its errors located in the file."""

    def __init__(self, path: Path, text: str, line: int, table: dict[str, Any]) -> None:
        self.path, self.text, self.line, self.table = path, text, line, table
        self.name = str(table.get("name", f"line-{line}"))

    def fail(self, key: str, message: str) -> ScenarioError:
        line = key_line(self.text, self.line, key)
        return ScenarioError(f"{self.path}:{line}: call {self.name!r}: {key}: {message}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        value = self.table.get(key, default) if "." not in key else self._dotted(key, default)
        if value is not None and (
            not isinstance(value, kind) or isinstance(value, bool) != (kind is bool)
        ):
            raise self.fail(key, f"expected {_kind_name(kind)}, got {value!r}")
        return value

    def _dotted(self, key: str, default: Any) -> Any:
        table, _, name = key.partition(".")
        return self.table.get(table, {}).get(name, default)

    def calls(self) -> list[Call]:
        unknown = set(self.table) - CALL_KEYS
        if unknown:
            raise self.fail(sorted(unknown)[0], "unknown key")
        if "name" not in self.table:
            raise self.fail("name", "every call needs a name")
        self.get("name", str)
        call = self._call()
        repeat = self.get("repeat", int, 1)
        if not 1 <= repeat <= MAX_REPEAT:
            raise self.fail("repeat", f"must be between 1 and {MAX_REPEAT}")
        if repeat == 1:
            return [call]
        return [_renamed(call, f"{call.name}#{n}") for n in range(1, repeat + 1)]

    def _call(self) -> Call:
        campaign = self.get("campaign", str)
        if campaign is not None:
            return self._outbound(campaign)
        language, profile = self.get("language", str), self._profile()
        agent = self._agent()
        number = self.get("number", str) or _number(profile, language, agent)
        if not _EXTEN.fullmatch(number):
            raise self.fail("number", f"not a dialable extension: {number!r}")
        tone, file = self._voice()
        agent_hangup = self._agent_hangup()
        expect = self._expect()
        return Call(
            name=self.name,
            source=self.path,
            line=self.line,
            number=number,
            language=language,
            profile=profile,
            voice_tone=tone,
            voice_file=file,
            keys=self._keys("keys", self.get("keys", list, [])),
            hangup=self._hangup(required=agent_hangup is None),
            expect=replace(expect, language=language, profile=expect.profile or profile),
            agent=agent,
            agent_hangup=agent_hangup,
            agent_keys=self._keys("agent.keys", self.get("agent.keys", list, [])),
            agent_transfer=self._transfer(),
            supervisor=self._supervisor(),
        )

    def _supervisor(self) -> Moment | None:
        table = self.get("supervisor", dict)
        return None if table is None else self._moment_table("supervisor", table)

    def _outbound(self, campaign: str) -> Call:
        """An agent's outbound call through the guard (issue 19): only a campaign and the
        verdict expected."""
        if not _CAMPAIGN.fullmatch(campaign):
            raise self.fail("campaign", f"not a campaign name: {campaign!r}")
        allowed = {"name", "repeat", "campaign", "expect"}
        if set(self.table) - allowed:
            raise self.fail(sorted(set(self.table) - allowed)[0], "not for an outbound call")
        expected = set(self.get("expect", dict) or {})
        if expected - {"outbound"}:
            raise self.fail(
                f"expect.{sorted(expected - {'outbound'})[0]}", "not for an outbound call"
            )
        outbound = self.get("expect.outbound", str)
        if outbound is None or not _VERDICT.fullmatch(outbound):
            raise self.fail("expect.outbound", 'expected "allowed" or "refused:<rule>"')
        return Call(
            name=self.name, source=self.path, line=self.line, number="", language=None,
            voice_tone=None, voice_file=None, keys=(), hangup=None,
            expect=Expect(outbound=outbound), campaign=campaign,
        )  # fmt: skip

    def _transfer(self) -> Transfer | None:
        table = self.get("agent.transfer", dict)
        if table is None:
            return None
        if set(table) - {"to", "at", "after"}:
            raise self.fail("agent.transfer", "expected { to, at, after }")
        to = table.get("to")
        if not isinstance(to, str) or not _TRANSFER_TO.fullmatch(to):
            raise self.fail("agent.transfer", f"`to` must be a PBX extension, got {to!r}")
        return Transfer(to, self._moment("agent.transfer", table))

    def _profile(self) -> str | None:
        profile: str | None = self.get("profile", str)
        if profile is not None and not _PROFILE.fullmatch(profile):
            raise self.fail("profile", f"not a profile name: {profile!r}")
        return profile

    def _voice(self) -> tuple[str | None, str | None]:
        voice = self.get("voice", dict, {"tone": "440"})
        unknown = set(voice) - {"tone", "file", "silent"}
        if unknown:
            raise self.fail("voice", f"unknown key {sorted(unknown)[0]!r} (tone, file, silent)")
        if voice.get("silent") is True:
            return None, None
        tone, file = voice.get("tone"), voice.get("file")
        if (tone is None) == (file is None):
            raise self.fail("voice", "give one of tone, file or silent = true")
        return (str(tone), None) if tone is not None else (None, str(file))

    def _agent(self) -> str:
        agent = self.get("agent", dict, {})
        unknown = set(agent) - AGENT_KEYS
        if unknown:
            choices = ", ".join(sorted(AGENT_KEYS))
            raise self.fail("agent", f"unknown key {sorted(unknown)[0]!r} ({choices})")
        answer, talks = agent.get("answer", "now"), agent.get("talks", True)
        if not isinstance(talks, bool):
            raise self.fail("agent.talks", "expected true or false")
        if answer == "never":
            return "agent-noanswer"
        if answer == "now":
            return "agent" if talks else "agent-silent"
        if isinstance(answer, int) and not isinstance(answer, bool) and 1 <= answer <= 600:
            if not talks:
                raise self.fail("agent.talks", "an agent answering late always talks")
            # Two digits at least: the carrier's pattern `_agent-after-X.` needs two characters.
            return f"agent-after-{answer:02d}"
        raise self.fail("agent.answer", f'expected "now", "never" or whole seconds, got {answer!r}')

    def _moment(self, key: str, table: dict[str, Any]) -> Moment:
        at, after = table.get("at"), table.get("after", "answer")
        if not isinstance(at, int | float) or isinstance(at, bool) or not 0 <= at <= 3600:
            raise self.fail(key, f"`at` must be seconds between 0 and 3600, got {at!r}")
        try:
            return Moment(float(at), Anchor(after))
        except ValueError:
            choices = ", ".join(a.value for a in Anchor)
            raise self.fail(key, f"`after` must be one of {choices}, got {after!r}") from None

    def _keys(self, name: str, entries: list[Any]) -> tuple[KeyPress, ...]:
        presses = []
        for entry in entries:
            if not isinstance(entry, dict) or set(entry) - {"key", "at", "after", "ms"}:
                raise self.fail(name, "each entry is { key, at, after, ms }")
            key, ms = entry.get("key"), entry.get("ms", 250)
            if not isinstance(key, str) or not _DIGITS.fullmatch(key):
                raise self.fail(name, f"`key` must be 1 to {MAX_KEYS} of 0-9 * # A-D, got {key!r}")
            if not isinstance(ms, int) or isinstance(ms, bool) or not 40 <= ms <= 5000:
                raise self.fail(name, f"`ms` must be 40 to 5000, got {ms!r}")
            presses.append(KeyPress(key, self._moment(name, entry), ms))
        return tuple(presses)

    def _hangup(self, *, required: bool) -> Moment | None:
        hangup = self.get("hangup", dict)
        if hangup is None and required:
            raise self.fail("hangup", "every call needs a hang-up time: { at, after }")
        return None if hangup is None else self._moment_table("hangup", hangup)

    def _agent_hangup(self) -> Moment | None:
        hangup = self.get("agent.hangup", dict)
        return None if hangup is None else self._moment_table("agent.hangup", hangup)

    def _moment_table(self, key: str, table: dict[str, Any]) -> Moment:
        if set(table) - {"at", "after"}:
            raise self.fail(
                key,
                "expected { at, after }"
                if key != "agent.transfer"
                else "expected { to, at, after }",
            )
        return self._moment(key, table)

    def _expect(self) -> Expect:
        expect = self.get("expect", dict)
        if not expect:
            raise self.fail("expect", "every call needs an expected outcome")
        unknown = set(expect) - EXPECT_KEYS
        if unknown:
            raise self.fail(f"expect.{sorted(unknown)[0]}", "unknown key")
        decision = self.get("expect.decision", str)
        if decision is not None and decision not in DECISIONS:
            raise self.fail("expect.decision", f"must be one of {sorted(DECISIONS)}")
        return Expect(
            recorded=self.get("expect.recorded", bool),
            decision=decision,
            never_created=self.get("expect.never_created", bool, False),
            objected_within=self._seconds("expect.objected_within"),
            steps=self._names("expect.steps"),
            events=self._names("expect.events"),
            min_seconds=self._seconds("expect.min_seconds"),
            profile=self._expected_profile(),
            paused=self._count("expect.paused"),
            listen=self.get("expect.listen", str),
        )

    def _expected_profile(self) -> str | None:
        profile: str | None = self.get("expect.profile", str)
        if profile is not None and not _PROFILE.fullmatch(profile):
            raise self.fail("expect.profile", f"not a profile name: {profile!r}")
        return profile

    def _count(self, key: str) -> int | None:
        value: int | None = self.get(key, int)
        if value is not None and not 0 <= value <= 100:
            raise self.fail(key, "must be between 0 and 100")
        return value

    def _seconds(self, key: str) -> float | None:
        value = self.get(key, (int, float))
        if value is not None and value < 0:
            raise self.fail(key, "must not be negative")
        return None if value is None else float(value)

    def _names(self, key: str) -> tuple[str, ...]:
        value = self.get(key, list, [])
        if not all(isinstance(v, str) for v in value):
            raise self.fail(key, "expected a list of names")
        return tuple(value)


def _number(profile: str | None, language: str | None, agent: str) -> str:
    """The sandbox PBX's test extension for this call (ivr/sandbox/dialplans.py):
    ``j.<profile>.<language>.<agent>`` names a profile, ``c-<language>-<agent>`` the language
    alone. An empty language lets the consent flow use the profile's own."""
    if profile is not None:
        return f"j.{profile}.{language or ''}.{agent}"
    return f"c-{language or 'fr'}-{agent}"


def _renamed(call: Call, name: str) -> Call:
    return replace(call, name=name)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}
    names |= {list: "a list", dict: "a table"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)
