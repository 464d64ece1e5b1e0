"""The outbound operations the CLI, the HTTP API and the dialplan guard share: a number is
normalised once here, with the campaign's region, before any rule or list sees it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ivr.outbound.config import OutboundSettings
from ivr.outbound.numbers import NumberError, normalise
from ivr.outbound.port import ConsentRecord
from ivr.outbound.profiles import Campaign
from ivr.outbound.rules import Check, Decision, Rule, decide
from ivr.outbound.stores import AnyOutboundStore

CONSENT_COLUMNS = ("number", "given_at", "source", "wording")
_TRUE = {"1", "true", "yes", "oui", "y"}


class OutboundInputError(ValueError):
    """Bad input (a number, a campaign, a CSV row): the message names it."""


@dataclass(frozen=True)
class Outbound:
    settings: OutboundSettings
    store: AnyOutboundStore

    def campaign(self, name: str) -> Campaign:
        try:
            return self.settings.campaign(name)
        except KeyError as exc:
            raise OutboundInputError(exc.args[0]) from None

    def number(self, text: str, region: str | None = None) -> str:
        try:
            return normalise(text, region or self._region())
        except NumberError as exc:
            raise OutboundInputError(str(exc)) from None

    def _region(self) -> str:
        campaigns = list(self.settings.campaigns.values())
        return campaigns[0].profile.region if campaigns else "FR"

    def check(self, number: str, campaign: str, at: datetime, shown: bool = True) -> Decision:
        """The decision, rule by rule, recording nothing."""
        chosen = self.campaign(campaign)
        e164 = self.number(number, chosen.profile.region)
        return decide(chosen, self.store.facts(chosen, e164, at, shown))

    def guard(self, number: str, campaign: str, at: datetime, shown: bool) -> Decision:
        """The dialplan's decision: recorded, with the attempt when allowed. Refuses, and logs,
        an unknown campaign or a number that is not one."""
        try:
            chosen = self.campaign(campaign)
        except OutboundInputError as exc:
            return self._refuse(Rule.CAMPAIGN, str(exc), campaign, number, at)
        try:
            e164 = self.number(number, chosen.profile.region)
        except OutboundInputError as exc:
            return self._refuse(Rule.NUMBER, str(exc), campaign, number, at)
        return self.store.guard(chosen, e164, at, shown)

    def unguarded(self, number: str, campaign: str, at: datetime) -> None:
        """A call placed without the guard (fail-open): logged, and an attempt when the
        campaign and the number are known, since it counts towards the cap all the same."""
        decision = Decision(
            True,
            Rule.UNAVAILABLE,
            (Check(Rule.UNAVAILABLE, False, "placed unguarded (fail-open)"),),
        )
        try:
            chosen = self.campaign(campaign)
            e164 = self.number(number, chosen.profile.region)
        except OutboundInputError:
            self.store.log_refusal(campaign, number, at, decision)
            return
        self.store.record_unguarded(chosen, e164, at, decision)

    def stop(self, number: str, campaign: str, at: datetime, who: str) -> str:
        """ "Stop calling me": the number opposed for every site at once, its consents revoked,
        the refusal recorded with who asked. Returns the number in E.164."""
        chosen = self.settings.campaigns.get(campaign)
        # An unknown campaign still opposes the number: the internal list applies to all.
        e164 = self.number(number, chosen.profile.region if chosen else None)
        self.store.oppose(e164, at, chosen.professional if chosen else "", who)
        return e164

    def _refuse(self, rule: Rule, why: str, campaign: str, number: str, at: datetime) -> Decision:
        decision = Decision.refused(rule, why)
        self.store.log_refusal(campaign, number, at, decision)
        return decision

    def import_opposition(self, name: str, screened_on: date | None, lines: Iterable[str]) -> int:
        return self.store.import_opposition(name, screened_on, self._numbers(lines))

    def _numbers(self, lines: Iterable[str]) -> Iterator[str]:
        region = self._region()
        for count, line in enumerate(lines, 1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            try:
                yield normalise(text, region)
            except NumberError as exc:
                raise OutboundInputError(f"line {count}: {exc}") from None

    def consents_from_csv(self, text: str) -> list[ConsentRecord]:
        reader = csv.DictReader(io.StringIO(text))
        missing = [c for c in CONSENT_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise OutboundInputError(f"the CSV lacks the column(s) {', '.join(missing)}")
        return [self._consent(row, line) for line, row in enumerate(reader, 2)]

    def consent_rows(self, rows: list[dict[str, str]]) -> list[ConsentRecord]:
        """Consents given as objects (the HTTP API): the same checks as the CSV's rows."""
        for line, row in enumerate(rows, 1):
            missing = [c for c in CONSENT_COLUMNS if c not in row]
            if missing:
                raise OutboundInputError(f"consent {line}: lacks {', '.join(missing)}")
        return [self._consent(row, line) for line, row in enumerate(rows, 1)]

    def _consent(self, row: dict[str, Any], line: int) -> ConsentRecord:
        try:
            given = datetime.fromisoformat(row["given_at"])
        except ValueError:
            raise OutboundInputError(
                f"line {line}: given_at {row['given_at']!r} is not ISO 8601"
            ) from None
        empty = [c for c in CONSENT_COLUMNS if not (row.get(c) or "").strip()]
        if empty:
            raise OutboundInputError(f"line {line}: empty {', '.join(empty)}")
        kind = (row.get("kind") or "consent").strip()
        if kind not in ("consent", "contract"):
            raise OutboundInputError(f"line {line}: kind must be consent or contract, got {kind!r}")
        try:
            number = self.number(row["number"])
        except OutboundInputError as exc:
            raise OutboundInputError(f"line {line}: {exc}") from None
        return ConsentRecord(
            number=number,
            given_at=given if given.tzinfo else given.replace(tzinfo=UTC),
            source=row["source"].strip(),
            wording=row["wording"].strip(),
            purpose=(row.get("purpose") or "").strip(),
            outside_hours=(row.get("outside_hours") or "").strip().lower() in _TRUE,
            kind=kind,
        )


def decision_json(number: str, campaign: str, at: datetime, decision: Decision) -> dict[str, Any]:
    return {
        "number": number,
        "campaign": campaign,
        "at": at.isoformat(),
        "allowed": decision.allowed,
        "rule": None if decision.rule is None else decision.rule.value,
        "checks": [
            {"rule": check.rule.value, "passed": check.passed, "detail": check.detail}
            for check in decision.checks
        ],
    }
