"""Encryption at rest on real files: round trip, plaintext gone, every tampering refused."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from ivr.config import Secret
from ivr.crypto import CryptoError, Keyring, RecordingKey, encrypt_recording, open_recording
from ivr.crypto.stream import CHUNK, decrypt_chunks, encrypt_stream

KEY = RecordingKey.from_bytes(bytes(range(32)))
OLD = RecordingKey.from_bytes(bytes(32))


def recording(tmp_path: Path, size: int) -> tuple[Path, bytes]:
    data = os.urandom(size)
    path = tmp_path / "call-1.wav"
    path.write_bytes(data)
    path.chmod(0o640)
    return path, data


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17])
def test_round_trip_removes_the_plaintext(tmp_path: Path, size: int) -> None:
    path, data = recording(tmp_path, size)
    encrypted = encrypt_recording(path, KEY)
    assert encrypted == tmp_path / "call-1.wav.enc"
    assert not path.exists()
    assert encrypted.stat().st_mode & 0o777 == 0o640
    assert b"".join(open_recording(encrypted, Keyring(KEY))) == data
    if size > 64:
        assert data[:64] not in encrypted.read_bytes()


def test_the_header_names_the_key_and_old_keys_still_decrypt(tmp_path: Path) -> None:
    path, data = recording(tmp_path, 1000)
    encrypted = encrypt_recording(path, OLD)
    assert OLD.key_id in encrypted.read_bytes()[:32]
    assert b"".join(open_recording(encrypted, Keyring(KEY, [OLD]))) == data
    with pytest.raises(CryptoError, match=f"no key with id {OLD.key_id_hex}"):
        b"".join(open_recording(encrypted, Keyring(KEY)))


def encrypted_bytes(size: int, chunk: int = 100) -> tuple[bytes, bytes]:
    data, sink = os.urandom(size), io.BytesIO()
    encrypt_stream(io.BytesIO(data), sink, KEY, chunk)
    return data, sink.getvalue()


def decrypt(blob: bytes) -> bytes:
    return b"".join(decrypt_chunks(io.BytesIO(blob), Keyring(KEY), "f"))


def test_a_flipped_bit_is_refused() -> None:
    _, blob = encrypted_bytes(350)
    damaged = bytearray(blob)
    damaged[60] ^= 1
    with pytest.raises(CryptoError, match="chunk 0 fails authentication"):
        decrypt(bytes(damaged))


def test_truncation_at_a_chunk_boundary_is_refused() -> None:
    data, blob = encrypted_bytes(350)
    header = len(blob) - (350 + 4 * 16)
    assert decrypt(blob) == data
    with pytest.raises(CryptoError, match="fails authentication"):
        decrypt(blob[: header + 2 * 116])


def test_swapped_chunks_are_refused() -> None:
    _, blob = encrypted_bytes(400)
    header = len(blob) - (400 + 4 * 16)
    first, second = blob[header : header + 116], blob[header + 116 : header + 232]
    swapped = blob[:header] + second + first + blob[header + 232 :]
    with pytest.raises(CryptoError, match="chunk 0 fails"):
        decrypt(swapped)


def test_a_plain_file_is_not_taken_for_an_encrypted_one(tmp_path: Path) -> None:
    fake = tmp_path / "x.wav.enc"
    fake.write_bytes(b"RIFF" + bytes(100))
    with pytest.raises(CryptoError, match="not an ivr encrypted recording"):
        b"".join(open_recording(fake, Keyring(KEY)))


def test_key_from_a_secret_and_its_repr_hides_it() -> None:
    hexkey = bytes(range(32)).hex()
    key = RecordingKey.from_secret(Secret(hexkey, "test"))
    assert key == KEY
    assert hexkey not in repr(key)
    assert hexkey not in repr(Keyring(key))
