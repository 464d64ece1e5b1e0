"""A PBX that lets an AMI account log in only once, told apart from a wrong secret.

The service logs in several times with one account (a listening session and action lanes,
`AmiSupervisor`). manager.conf's ``allowmultiplelogin = no`` (under ``[general]``, or in the
user's own section) makes Asterisk refuse every login of a user already logged in: it answers
``Response: Error`` / ``Message: Login Already In Use`` (to ``Login``, or to ``Challenge`` for an
MD5 login) and hangs up, while the session already in stays up (manager.c,
``check_manager_session_inuse``; measured on the Asterisk 22 sandbox,
tests/pbx/test_single_login_account.py: the refusal comes after 1 s). A wrong secret answers
"Authentication failed" to every session instead, so the two causes never share a message.

Measured too: a user takes ``[general]``'s value when its section is first read (at start, or a
section added since), and keeps it across ``manager reload``; the user's own line overrides it.
So the fix that always works is the user's own ``allowmultiplelogin = yes``.
"""

from __future__ import annotations

from ivr.ami.errors import AmiActionError

IN_USE = "Login Already In Use"  # Asterisk's Message, word for word
SETTING = "allowmultiplelogin"


def refused_as_in_use(error: BaseException | None) -> bool:
    """True if `error` is the PBX refusing a login because the user is already logged in."""
    return isinstance(error, AmiActionError) and error.message == IN_USE


def fix(username: str) -> str:
    """What the administrator changes, in their words."""
    return (
        f"set `{SETTING} = yes` in the [{username}] section of manager.conf "
        "(it overrides a `no` under [general]), then `manager reload`"
    )


def refused(username: str, needed: int, logged_in: int) -> str:
    """The health's and the log's line when `needed` sessions were tried and only `logged_in`
    got in, the others refused as already in use."""
    return (
        f"the PBX refused more than one login of user {username!r} ({IN_USE}: "
        f"{logged_in} of {needed} sessions logged in); the service needs {needed} sessions "
        f"of this account at once: {fix(username)}"
    )
