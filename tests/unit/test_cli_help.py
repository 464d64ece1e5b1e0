"""`ivr --help` and every command's help read as plain text: every option says what it does."""

from __future__ import annotations

import argparse

import pytest

from ivr.cli.main import build_parser


def parsers(
    parser: argparse.ArgumentParser, path: str = "ivr"
) -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += parsers(sub, f"{path} {name}")
    return found


ALL = parsers(build_parser())


@pytest.mark.parametrize(("path", "parser"), ALL, ids=[p for p, _ in ALL])
def test_every_option_and_argument_has_help(path: str, parser: argparse.ArgumentParser) -> None:
    silent = [
        "/".join(a.option_strings) or a.dest
        for a in parser._actions
        if not isinstance(a, argparse._HelpAction | argparse._SubParsersAction)
        and not (a.help and a.help.strip())
        and a.help is not argparse.SUPPRESS
    ]
    assert not silent, f"{path}: no help for {silent}"


def test_the_top_help_is_plain_text() -> None:
    text = build_parser().format_help()
    assert "`" not in text
    assert "**" not in text
