"""The consent service as an administrator runs it: ``ivr run --config FILE`` in a process of
its own, configured for the PBX under test, its health polled until ready."""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.targets import Target

API_TOKEN = "test-token-not-secret"
READY_DEADLINE = 20.0

TEST_CONFIG = (Path(__file__).parent / "ivr-test.toml").read_text(encoding="utf-8")

# Every service a test started: whatever a failed test left running is killed when the run ends.
_SPAWNED: list[subprocess.Popen[bytes]] = []


@atexit.register
def _kill_leftovers() -> None:
    for process in _SPAWNED:
        if process.poll() is None:
            process.kill()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _header(line: str) -> str | None:
    """The table a TOML header line opens (``[a.b]`` or ``[[a.b]]``), else None."""
    stripped = line.strip()
    if not stripped.startswith("["):
        return None
    return stripped.strip("[]").strip()


def with_policy(template: str, policy: str) -> str:
    """The template with ``policy``'s top-level tables in place of its own (``[profiles]`` and
    ``[notice]`` tables are merged instead: the template's short texts and items stay)."""
    replaced = {
        name.split(".")[0] for line in policy.splitlines() if (name := _header(line)) is not None
    } - {"profiles", "notice"}
    kept, dropping = [], False
    for line in template.splitlines():
        name = _header(line)
        if name is not None:
            dropping = name.split(".")[0] in replaced
        if not dropping:
            kept.append(line)
    return "\n".join(kept) + "\n" + policy


def write_config(folder: Path, pbx: Target, *, policy: str = "") -> Path:
    """The test configuration for ``pbx``; ``policy`` replaces its consent and recording
    tables (profiles, rules, sampling, agents) for tests of the compliance policies."""
    if pbx.sounds_dir is None or not pbx.service_secret:
        raise RuntimeError("the PBX target names no sounds_dir or service account")
    path = folder / "ivr.toml"
    template = with_policy(TEST_CONFIG, policy.replace("{", "{{").replace("}", "}}"))
    path.write_text(
        template.format(
            ami_host=pbx.ami_host,
            ami_port=pbx.ami_port,
            username=pbx.service_username,
            secret=pbx.service_secret,
            recordings=pbx.recordings_dir,
            ledger=folder / "ledger.sqlite3",
            http_port=free_port(),
            sounds=pbx.sounds_dir,
        ),
        encoding="utf-8",
    )
    return path


def ivr_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "ivr", *args]


def build_prompts(config: Path) -> None:
    done = subprocess.run(
        ivr_command("prompts", "build", "--config", str(config)),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"ivr prompts build failed:\n{done.stderr}")


@dataclass
class ServiceProcess:
    config: Path
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)  # extra environment, e.g. a key
    options: tuple[str, ...] = ()  # ivr's own options, e.g. ("--verbose",) for DEBUG logs

    @property
    def base_url(self) -> str:
        for line in self.config.read_text().splitlines():
            if line.startswith("listen = "):
                return "http://" + line.split('"')[1]
        raise RuntimeError("no listen address in the config")

    async def start(self) -> None:
        """Spawn and wait until healthy; a service that never gets there is stopped, never left
        running to act on later tests' calls (it once did, and failed them)."""
        self.spawn()
        try:
            await self.wait_healthy()
        except BaseException:
            self.stop()
            raise

    def spawn(self) -> None:
        env = os.environ | {"IVR_API_TOKEN": API_TOKEN} | self.env
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                ivr_command(*self.options, "run", "--config", str(self.config)),
                stdout=log,
                stderr=log,
                env=env,
            )
        _SPAWNED.append(self.process)

    async def wait_healthy(self) -> dict[str, object]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + READY_DEADLINE
        while True:
            assert self.process is not None
            assert self.process.poll() is None, f"ivr run exited:\n{self.log_tail()}"
            try:
                return await asyncio.to_thread(self.get, "/healthz")
            except OSError:
                if loop.time() > deadline:
                    raise AssertionError(
                        f"service not healthy in {READY_DEADLINE} s\n{self.log_tail()}"
                    ) from None
                await asyncio.sleep(0.1)

    def get(self, path: str) -> dict[str, object]:
        body: dict[str, object] = json.loads(self.get_text(path))
        return body

    def get_text(self, path: str) -> str:
        return self.get_bytes(path).decode("utf-8")

    def get_bytes(self, path: str) -> bytes:
        headers = {"Authorization": f"Bearer {API_TOKEN}"}
        request = urllib.request.Request(self.base_url + path, headers=headers)
        with urllib.request.urlopen(request, timeout=5) as response:
            body: bytes = response.read()
            return body

    def stop(self) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def kill(self) -> None:
        """SIGKILL: the service dies at once, with no chance to tidy anything."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


@asynccontextmanager
async def running(
    config: Path, log: Path, options: tuple[str, ...] = ()
) -> AsyncIterator[ServiceProcess]:
    """``ivr run`` for the length of the block; it must then stop cleanly (exit 0)."""
    process = ServiceProcess(config, log, options=options)
    await process.start()
    try:
        yield process
    finally:
        assert process.stop() == 0, process.log_tail()


def policy_config(folder: Path, pbx: Target, policy: str) -> Path:
    """The test configuration with ``policy`` (see `with_policy`), its prompts built."""
    config = write_config(folder, pbx, policy=policy)
    build_prompts(config)
    return config
