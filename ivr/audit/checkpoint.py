"""Signed checkpoints of a hash chain's head, kept outside the database that holds the chain.

A checkpoint is one JSON line: the chain's name, the seq and hash of its head, when, and an
Ed25519 signature over those fields by a key the database never sees. Whoever rewrites the
database (deletes a row, recomputes every hash after it) cannot make the row at a signed seq
carry the signed hash again, nor forge a new checkpoint. Generic over chains, so the ledger's
event chain can be checkpointed the same way. Pure apart from reading the key file.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

VERSION = 1


class CheckpointError(Exception):
    """A key or checkpoint file cannot be read; the message names it, never the key."""


@dataclass(frozen=True)
class Checkpoint:
    chain: str  # "audit", "ledger"
    seq: int  # the head's position
    head: str  # the head's hash
    at: str  # UTC ISO 8601


@dataclass(frozen=True)
class Mismatch:
    where: str  # "checkpoint line 3", "row 12"
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


def _signed_bytes(point: Checkpoint) -> bytes:
    body = {
        "v": VERSION,
        "chain": point.chain,
        "seq": point.seq,
        "head": point.head,
        "at": point.at,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def sign(point: Checkpoint, key: Ed25519PrivateKey) -> str:
    """The checkpoint as one line (no newline) for an append-only sink."""
    signature = base64.b64encode(key.sign(_signed_bytes(point))).decode()
    body = json.loads(_signed_bytes(point)) | {"sig": signature}
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def parse(line: str, key: Ed25519PublicKey) -> Checkpoint:
    """The checkpoint of a line whose signature ``key`` confirms; ValueError otherwise."""
    start = line.find("{")  # a syslog line carries a prefix before the JSON
    data = json.loads(line[start:]) if start >= 0 else None
    if not isinstance(data, dict) or data.get("v") != VERSION:
        raise ValueError("not a checkpoint")
    try:
        point = Checkpoint(str(data["chain"]), int(data["seq"]), str(data["head"]), str(data["at"]))
        key.verify(base64.b64decode(data["sig"], validate=True), _signed_bytes(point))
    except (KeyError, ValueError, TypeError, InvalidSignature):
        raise ValueError("bad signature: not made with the checkpoint key") from None
    return point


def check(
    chain: str,
    heads: Mapping[int, str],
    last_seq: int,
    lines: Iterable[str],
    key: Ed25519PublicKey,
    removed_through: int = 0,
) -> tuple[list[Mismatch], int]:
    """Compare a chain (``heads``: seq -> hash) with the signed lines; (mismatches, checked).
    Checkpoints of rows retention removed (seq below ``removed_through``) are skipped."""
    mismatches, checked = [], 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            point = parse(line, key)
        except ValueError as exc:
            mismatches.append(Mismatch(f"checkpoint line {number}", str(exc)))
            continue
        if point.chain != chain or point.seq < removed_through:
            continue
        checked += 1
        found = heads.get(point.seq)
        if found is None:
            mismatches.append(Mismatch(f"row {point.seq}", _gone(point, last_seq)))
        elif found != point.head:
            mismatches.append(Mismatch(f"row {point.seq}", _rewritten(point)))
    return mismatches, checked


def _gone(point: Checkpoint, last_seq: int) -> str:
    return (
        f"signed as the head at {point.at}, but the log has only {last_seq} rows: "
        "rows were deleted or the log truncated"
    )


def _rewritten(point: Checkpoint) -> str:
    return (
        f"its hash differs from the one signed at {point.at}: "
        "this row or one before it was edited, deleted or inserted and the chain recomputed"
    )


def new_private_key() -> bytes:
    """A fresh Ed25519 key as unencrypted PKCS#8 PEM."""
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw.hex()


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not a PEM private key"
        raise CheckpointError(f"{path}: cannot read the checkpoint key: {reason}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(f"{path}: the checkpoint key must be an Ed25519 key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A public key file (64 hex digits, or PEM), or the public half of a private key file."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"{path}: cannot read the key: {exc}") from None
    if "PRIVATE KEY" in text:
        return load_private_key(path).public_key()
    try:
        if "PUBLIC KEY" in text:
            key = serialization.load_pem_public_key(text.encode())
            if isinstance(key, Ed25519PublicKey):
                return key
            raise ValueError
        return Ed25519PublicKey.from_public_bytes(bytes.fromhex(text))
    except ValueError:
        raise CheckpointError(f"{path}: not an Ed25519 public key") from None
