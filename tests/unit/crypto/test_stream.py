"""Encryption at rest on real files: round trip, plaintext gone, every tampering refused."""

from __future__ import annotations

import io
import os
import stat
import struct
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ivr.cli.main import main
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


def test_each_file_is_encrypted_under_its_own_hkdf_derived_key() -> None:
    sealed = []
    for _ in range(2):
        sink = io.BytesIO()
        encrypt_stream(io.BytesIO(b"same audio"), sink, KEY)
        sealed.append(sink.getvalue())
    first, second = sealed
    assert first[7:15] == second[7:15] == KEY.key_id  # the same recording key names both
    body = first[-(len(b"same audio") + 16) :]
    header = first[: -len(body)]
    nonce = header[-11:-4] + b"\x00\x00\x00\x00\x01"
    with pytest.raises(InvalidTag):  # the recording key itself does not open the chunk
        AESGCM(KEY.material).decrypt(nonce, body, header)
    for blob in sealed:
        assert b"".join(decrypt_chunks(io.BytesIO(blob), Keyring(KEY), "x")) == b"same audio"


def test_version_1_files_made_with_the_recording_key_still_decrypt() -> None:
    prefix = bytes(7)
    header = struct.pack(">6sB8s7sI", b"IVRENC", 1, KEY.key_id, prefix, 4096)
    chunk = AESGCM(KEY.material).encrypt(prefix + b"\x00\x00\x00\x00\x01", b"old audio", header)
    blob = io.BytesIO(header + chunk)
    assert b"".join(decrypt_chunks(blob, Keyring(KEY), "old")) == b"old audio"


def test_a_header_asking_for_a_huge_chunk_is_refused_before_reading_it() -> None:
    sink = io.BytesIO()
    encrypt_stream(io.BytesIO(b"x"), sink, KEY)
    blob = bytearray(sink.getvalue())
    blob[54:58] = (2**32 - 1).to_bytes(4, "big")  # the chunk size field
    with pytest.raises(CryptoError, match="chunk size 4294967295 in its header is out of bounds"):
        list(decrypt_chunks(io.BytesIO(bytes(blob)), Keyring(KEY), "huge"))


def test_crypto_new_key_out_creates_the_key_file_0600_under_umask_022(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        assert main(["crypto", "new-key", "--out", str(tmp_path / "rec.key")]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "rec.key").stat().st_mode) == 0o600
    assert len(bytes.fromhex((tmp_path / "rec.key").read_text().strip())) == 32
    assert main(["crypto", "new-key", "--out", str(tmp_path / "rec.key")]) == 2
