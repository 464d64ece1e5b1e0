"""The article 30 record as Markdown, from its JSON form (`ivr.audit.register.build_record`)."""

from __future__ import annotations

from typing import Any

_TITLES = {
    "purposes": "Purposes",
    "legal_basis": "Legal basis",
    "categories_of_data_subjects": "Categories of data subjects",
    "categories_of_personal_data": "Categories of personal data",
    "recipients": "Recipients",
    "transfers_outside_eu": "Transfers outside the EU",
    "retention": "Retention",
    "security_measures": "Security measures",
    "profiles": "Consent profiles",
    "which_calls_are_recorded": "Which calls are recorded",
    "rights": "Rights of the data subjects",
    "complaint": "Supervisory authority",
}


def to_markdown(record: dict[str, Any]) -> str:
    controller = record["controller"]
    lines = [
        "# Record of processing activities (GDPR art. 30)",
        "",
        f"**Processing:** {record['processing']}",
        "",
        f"**Controller:** {controller['name']}, {controller['contact']}",
        "",
        f"**Data protection officer:** {controller['dpo']}",
    ]
    for key, title in _TITLES.items():
        lines += ["", f"## {title}", "", *_block(record[key])]
    return "\n".join(lines) + "\n"


def _block(value: Any) -> list[str]:
    if isinstance(value, list):
        return [f"- {item}" for item in value]
    if isinstance(value, dict):
        return [f"- **{name}**: {_inline(inner)}" for name, inner in value.items()]
    return [str(value)]


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in value.items())
    return str(value)
