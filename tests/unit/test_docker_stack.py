"""The Docker stack is configured by the sandbox's code, and its files agree with each other.

No Docker engine is needed: these tests read the committed files. PyYAML is not a dependency, so
compose.yaml is read by the small strict reader below (block mappings and lists, flow values as
JSON, comments on their own lines); it refuses anything else rather than guess.
"""

from __future__ import annotations

import ipaddress
import json
import re
import shlex
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from ivr.sandbox import docker_spec, render
from ivr.sandbox.rootfs import packages
from ivr.sandbox.spec import AsteriskDirs, Endpoint, InstanceSpec, Role
from ivr.sandbox.state import ADMIN_USER, LOOPBACK, Ports

REPO = Path(__file__).resolve().parents[2]
DOCKER = REPO / "docker"
COMPOSE = DOCKER / "compose.yaml"
PBX_DOCKERFILE = DOCKER / "pbx" / "Dockerfile"
PACKAGES_TXT = REPO / "ivr" / "sandbox" / "packages.txt"
RERENDER = "run `ivr render docker --out docker/` and commit the result"


# --- (a) the committed configuration is what the code renders -------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_committed_asterisk_config_is_rendered_from_code(role: Role) -> None:
    folder = DOCKER / str(role) / "asterisk"
    rendered = docker_spec.render_stack()[str(role)]
    committed = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir() if p.is_file()}
    assert sorted(committed) == sorted(rendered), f"{folder}: other files than rendered; {RERENDER}"
    for name, text in rendered.items():
        assert committed[name] == text, f"{folder / name} is stale; {RERENDER}"


def test_committed_qa_targets_are_rendered_from_code() -> None:
    folder = DOCKER / "qa" / "targets"
    for name, text in docker_spec.render_targets().items():
        assert (folder / name).read_text(encoding="utf-8") == text, f"{name}: {RERENDER}"


def test_render_docker_writes_the_committed_tree(tmp_path: Path) -> None:
    from ivr.cli.main import main

    assert main(["render", "docker", "--out", str(tmp_path)]) == 0
    for role, files in docker_spec.render_stack().items():
        for name, text in files.items():
            assert (tmp_path / role / "asterisk" / name).read_text(encoding="utf-8") == text
    (tmp_path / "pbx" / "asterisk" / "gone.conf").write_text("stale", encoding="utf-8")
    assert main(["render", "docker", "--out", str(tmp_path)]) == 0
    assert not (tmp_path / "pbx" / "asterisk" / "gone.conf").exists()


# --- (b) sandbox and Docker differ only by their parameters -----------------------------------

# Keys whose values are addresses, ports, folders or secrets: what a spec may change.
PARAMETERS = {
    *(f"ast{d}dir" for d in ("etc", "mod", "varlib", "db", "key", "data", "agi", "spool")),
    *(f"ast{d}dir" for d in ("run", "log", "cache", "sbin")),
    "bindaddr",
    "port",
    "secret",
    "permit",
    "bind",
    "contact",
    "match",
    "rtpstart",
    "rtpend",
}
ASSIGNMENT = re.compile(r"^(?P<key>[a-z_]+)\s*(?P<op>=>|=)\s*(?P<value>.*)$")


def normalise(text: str) -> str:
    lines = []
    for line in text.splitlines():
        found = ASSIGNMENT.match(line)
        if found and found["key"] in PARAMETERS:
            line = f"{found['key']} {found['op']} <{found['key']}>"
        lines.append(line)
    return "\n".join(lines)


def sandbox_spec(role: Role) -> InstanceSpec:
    """What ``ivr sandbox up`` builds for an instance of this name, without root or a rootfs."""
    ports, peer = Ports.of_slot(0 if role is Role.PBX else 1), Ports.of_slot(7)
    return InstanceSpec(
        name=str(role),
        role=role,
        sip=Endpoint(LOOPBACK, ports.sip),
        ami=Endpoint(LOOPBACK, ports.ami),
        rtp_ports=ports.rtp,
        peer=Endpoint(LOOPBACK, peer.sip),
        ami_user=ADMIN_USER,
        ami_secret="a-random-secret",
        service_secret="another-random-secret" if role is Role.PBX else "",
        dirs=AsteriskDirs.under(PurePosixPath("/srv/ivr") / str(role), docker_spec.MODULES_DIR),
    )


@pytest.mark.parametrize("role", list(Role))
def test_sandbox_and_docker_render_the_same_files(role: Role) -> None:
    sandbox = render.render(sandbox_spec(role))
    docker = render.render(docker_spec.spec(role))
    assert sorted(sandbox) == sorted(docker)
    assert sandbox["extensions.conf"] == docker["extensions.conf"]
    assert sandbox["modules.conf"] == docker["modules.conf"]
    for name in sandbox:
        assert normalise(sandbox[name]) == normalise(docker[name]), name


def test_normalising_hides_only_parameters() -> None:
    text = render.render(docker_spec.spec(Role.PBX))["pjsip.conf"]
    assert normalise(text) != normalise(text.replace("rfc4733", "inband"))
    assert docker_spec.ADDRESSES[Role.CARRIER] not in normalise(text)


# --- a strict reader for compose.yaml ---------------------------------------------------------


@dataclass(frozen=True)
class Line:
    number: int
    indent: int
    text: str


def read_compose(text: str) -> dict[str, Any]:
    lines = []
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        if indent % 2 or "\t" in raw or " #" in stripped:
            raise ValueError(f"compose.yaml:{number}: unsupported indentation or inline comment")
        lines.append(Line(number, indent, stripped))
    value, end = _block(lines, 0, 0)
    if end != len(lines) or not isinstance(value, dict):
        raise ValueError(f"compose.yaml:{lines[end].number}: unexpected indentation")
    return value


def _block(lines: list[Line], start: int, indent: int) -> tuple[Any, int]:
    is_list = lines[start].text.startswith("- ")
    result: Any = [] if is_list else {}
    i = start
    while i < len(lines) and lines[i].indent == indent:
        line = lines[i]
        if line.text.startswith("- ") != is_list:
            raise ValueError(f"compose.yaml:{line.number}: list and mapping mixed")
        if is_list:
            result.append(_scalar(line.text[2:], line.number))
            i += 1
            continue
        key, value, i = _entry(lines, i, indent)
        if key in result:
            raise ValueError(f"compose.yaml:{line.number}: duplicate key {key!r}")
        result[key] = value
    return result, i


def _entry(lines: list[Line], i: int, indent: int) -> tuple[str, Any, int]:
    line = lines[i]
    key, sep, rest = line.text.partition(":")
    if not sep or not re.fullmatch(r"[A-Za-z0-9_.-]+", key) or rest[:1] not in ("", " "):
        raise ValueError(f"compose.yaml:{line.number}: expected `key: value`")
    if rest.strip():
        return key, _scalar(rest.strip(), line.number), i + 1
    if i + 1 >= len(lines) or lines[i + 1].indent <= indent:
        raise ValueError(f"compose.yaml:{line.number}: {key!r} has no value")
    value, end = _block(lines, i + 1, lines[i + 1].indent)
    return key, value, end


def _scalar(text: str, number: int) -> Any:
    if text[0] in '"[{':
        return json.loads(text)
    if text[0] in "'&*!|>%@`" or ": " in text:
        raise ValueError(f"compose.yaml:{number}: unsupported YAML: {text}")
    if text in ("true", "false"):
        return text == "true"
    return int(text) if text.isdigit() else text


def test_reader_refuses_what_it_does_not_understand() -> None:
    for text in ("a: &x 1\n", "a:\n  - b: c\n", "a: 1 # no\n", "a:\n   b: 1\n", "a:\n"):
        with pytest.raises(ValueError):
            read_compose(text)
    assert read_compose('a:\n  b: [1]\n  c:\n    - "x:y"\n    - z\nd: true\n') == {
        "a": {"b": [1], "c": ["x:y", "z"]},
        "d": True,
    }


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return read_compose(COMPOSE.read_text(encoding="utf-8"))


# --- a reader for the Dockerfiles -------------------------------------------------------------


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    found: list[tuple[str, str]] = []
    pending = ""
    for raw in dockerfile.read_text(encoding="utf-8").splitlines():
        if raw.lstrip().startswith("#"):
            continue
        pending += raw.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        if pending.strip():
            word, _, rest = pending.strip().partition(" ")
            found.append((word.upper(), rest.strip()))
        pending = ""
    return found


def copy_sources(dockerfile: Path, args: dict[str, str]) -> list[str]:
    """Every COPY/ADD source, with ARG defaults overridden by the build's ``args`` expanded."""
    values: dict[str, str] = {}
    sources = []
    for word, rest in instructions(dockerfile):
        if word == "ARG":
            name, _, default = rest.partition("=")
            values[name] = args.get(name, default)
        elif word in ("COPY", "ADD"):
            words = json.loads(rest) if rest.startswith("[") else shlex.split(rest)
            assert not any(w.startswith("--from") for w in words), "multi-stage: extend this test"
            for source in [w for w in words if not w.startswith("--")][:-1]:
                sources.append(re.sub(r"\$\{?(\w+)\}?", lambda m: values[m[1]], source))
    return sources


# --- (c) every host path the stack uses exists ------------------------------------------------


def builds(compose: dict[str, Any]) -> list[tuple[str, Path, Path, dict[str, str]]]:
    found = []
    for name, service in compose["services"].items():
        if "build" in service:
            build = service["build"]
            context = (DOCKER / build["context"]).resolve()
            dockerfile = context / build.get("dockerfile", "Dockerfile")
            found.append((name, context, dockerfile, build.get("args", {})))
    return found


def test_build_contexts_dockerfiles_and_copy_sources_exist(compose: dict[str, Any]) -> None:
    assert builds(compose), "no service is built"
    for service, context, dockerfile, args in builds(compose):
        assert context.is_dir(), f"{service}: no build context {context}"
        assert dockerfile.is_file(), f"{service}: no Dockerfile {dockerfile}"
        for source in copy_sources(dockerfile, args):
            assert (context / source).exists(), f"{service}: COPY {source}: not in the repository"


def test_dockerignore_lets_every_copy_source_through(compose: dict[str, Any]) -> None:
    for service, _context, dockerfile, args in builds(compose):
        ignore = dockerfile.with_name(dockerfile.name + ".dockerignore")
        allowed = [
            line[1:].rstrip("/")
            for line in ignore.read_text(encoding="utf-8").splitlines()
            if line.startswith("!")
        ]
        for source in copy_sources(dockerfile, args):
            source = source.rstrip("/")
            assert any(source == a or source.startswith(a + "/") for a in allowed), (
                f"{service}: {ignore.name} keeps {source} out of the build context"
            )


def test_bind_mounts_exist_and_named_volumes_are_declared(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("/"):
                pytest.fail(f"{name}: {source}: a host path outside the repository")
            elif source.startswith("."):
                assert (DOCKER / source).exists(), f"{name}: mounts missing {source}"
            else:
                assert source in compose["volumes"], f"{name}: undeclared volume {source}"


def test_recordings_volume_is_shared_by_pbx_and_service(compose: dict[str, Any]) -> None:
    target = f"recordings:{docker_spec.RECORDINGS_DIR}"
    for name in ("pbx", "ivr"):
        assert target in compose["services"][name]["volumes"], name


# --- the stack agrees with docker_spec ----------------------------------------------------------


def test_compose_addresses_are_the_specs(compose: dict[str, Any]) -> None:
    subnet = ipaddress.ip_network(docker_spec.SUBNET)
    assert subnet.is_private
    assert compose["networks"]["ivr"]["ipam"]["config"] == [{"subnet": docker_spec.SUBNET}]
    addresses = {
        name: service["networks"]["ivr"]["ipv4_address"]
        for name, service in compose["services"].items()
    }
    for role, address in docker_spec.ADDRESSES.items():
        assert addresses[str(role)] == address
    assert len(set(addresses.values())) == len(addresses)
    assert all(ipaddress.ip_address(a) in subnet for a in addresses.values())


def test_service_config_addresses_are_in_the_stack() -> None:
    text = (DOCKER / "ivr" / "ivr.toml").read_text(encoding="utf-8")
    tomllib.loads(text)  # the format is the service's; it must at least be TOML
    known = {*docker_spec.ADDRESSES.values(), "0.0.0.0"}  # the service's own listen address
    for address in re.findall(r"\b\d+\.\d+\.\d+\.\d+\b", text):
        assert address in known, f"docker/ivr/ivr.toml: {address} is not an Asterisk of the stack"


def test_ami_is_published_on_loopback_only(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            host, _, container = port.rpartition(":")
            assert host.startswith("127.0.0.1:"), f"{name}: {port} is not bound to loopback"
            assert int(container) == docker_spec.AMI_PORT, f"{name}: only AMI is published"


def test_asterisk_services_carry_their_role(compose: dict[str, Any]) -> None:
    for role in Role:
        build = compose["services"][str(role)]["build"]
        assert build["dockerfile"] == "docker/pbx/Dockerfile"
        assert build["args"] == {"ROLE": str(role)}


def test_modules_folder_is_the_one_the_image_checks() -> None:
    args = dict(rest.partition("=")[::2] for w, rest in instructions(PBX_DOCKERFILE) if w == "ARG")
    assert args["ASTERISK_MODULES"] == str(docker_spec.MODULES_DIR)


def test_pbx_image_runs_and_checks_asterisk() -> None:
    found = dict(instructions(PBX_DOCKERFILE))
    assert found["FROM"] == "debian:sid-slim"
    assert 'asterisk -rx "core waitfullybooted"' in found["HEALTHCHECK"]
    assert json.loads(found["CMD"])[:2] == ["asterisk", "-f"]


def test_no_registry_or_mirror_host_is_named() -> None:
    dockerfiles = (PBX_DOCKERFILE, DOCKER / "ivr" / "Dockerfile")
    images = [rest.split()[0] for f in dockerfiles for w, rest in instructions(f) if w == "FROM"]
    images += [s["image"] for s in read_compose(COMPOSE.read_text())["services"].values()]
    for image in images:
        first = image.split("/")[0]
        assert "/" not in image or not ("." in first or ":" in first), image
    for path in DOCKER.rglob("*"):
        if path.is_file():
            # The only web address allowed is one on the reserved example domain (RFC 2606).
            text = re.sub(r"https://[a-z.]+\.example/\S*", "", path.read_text(encoding="utf-8"))
            assert "://" not in text, path


# --- (d) the image installs exactly packages.txt ----------------------------------------------


def test_pbx_image_installs_exactly_the_sandbox_packages() -> None:
    steps = instructions(PBX_DOCKERFILE)
    copied = [shlex.split(rest) for word, rest in steps if word == "COPY"]
    destination = next(words[-1] for words in copied if words[0] == "ivr/sandbox/packages.txt")
    runs = " ; ".join(" ".join(rest.split()) for word, rest in steps if word == "RUN")

    installs = re.findall(r"apt-get ((?:-o \S+ )*)install ([^;&|]*)", runs)
    every_install = re.findall(r"(?<![\w-])install(?![\w-])", runs)
    assert len(installs) == len(every_install) == 1, "one apt-get install, of packages.txt only"
    arguments = [w for w in installs[0][1].split() if not w.startswith("-")]
    assert arguments == ["$packages"]
    assert "Acquire::Check-Valid-Until=false" in installs[0][0]
    assert not re.search(r"\bapt install|dpkg -i|\bpip\b", runs)

    reading = re.search(r'packages="\$\(([^)]*)\)"', runs)
    assert reading is not None, "packages must be read from the copied packages.txt"
    assert destination in reading[1]
    command = reading[1].replace(destination, shlex.quote(str(PACKAGES_TXT)))
    listed = subprocess.run(["sh", "-c", command], capture_output=True, text=True, check=True)
    assert listed.stdout.split() == packages()


def test_the_service_config_of_the_stack_loads_and_uses_the_service_account() -> None:
    from ivr.config import load_settings
    from ivr.names import SERVICE_AMI_USER
    from ivr.sandbox import docker_spec

    settings = load_settings(REPO / "docker" / "ivr" / "ivr.toml", environ={})
    assert settings.ami.username == SERVICE_AMI_USER
    assert settings.ami.secret.reveal() == docker_spec.QA_SERVICE_SECRET
    assert settings.ami.host == docker_spec.ADDRESSES[Role.PBX]


def test_every_language_the_stack_speaks_has_its_prompt_volume(compose: dict[str, Any]) -> None:
    """The service builds the prompts of every enabled profile's languages into
    sounds/<language>/ivr-consent; the PBX plays them from its own sounds folder. Enabling a
    language without a shared volume for it would leave the PBX with no notice to play."""
    from ivr.config import load_settings

    settings = load_settings(REPO / "docker" / "ivr" / "ivr.toml", environ={})
    spoken = {lang for p in settings.consent.profiles.values() for lang in p.languages}
    for service, sounds in (("ivr", "/var/lib/ivr/sounds"), ("pbx", "/usr/share/asterisk/sounds")):
        targets = {v.split(":")[1] for v in compose["services"][service]["volumes"]}
        for language in spoken:
            assert f"{sounds}/{language}/ivr-consent" in targets, (service, language)


# --- the QA service runs `ivr simulate` on the scenarios the sandbox tests run ----------------


def _qa_command(compose: dict[str, Any]) -> list[str]:
    command: list[str] = compose["services"]["qa"]["command"]
    return command


def _mounted(compose: dict[str, Any], inside: str) -> str:
    """The host side of the qa service's mount of ``inside`` (a path in the container)."""
    for volume in compose["services"]["qa"]["volumes"]:
        source, target = volume.split(":")[:2]
        if inside == target or inside.startswith(target + "/"):
            return str(source) + inside[len(target) :]
    pytest.fail(f"qa: nothing mounted at {inside}")


def test_qa_command_is_a_valid_simulate_invocation(compose: dict[str, Any]) -> None:
    from ivr.cli.main import build_parser

    args = build_parser().parse_args(_qa_command(compose))
    assert args.command == "simulate"
    assert args.targets
    service = compose["services"]["ivr"]["networks"]["ivr"]["ipv4_address"]
    assert args.api == f"{service}:8480"
    assert "8480" in (DOCKER / "ivr" / "ivr.toml").read_text(encoding="utf-8")


def test_qa_scenarios_are_the_shipped_ones_and_load(compose: dict[str, Any]) -> None:
    from ivr.simulate.scenario import load_paths

    assert _mounted(compose, _qa_command(compose)[1]) == "./qa/scenarios"
    shipped = DOCKER / "qa" / "scenarios"
    tests = (REPO / "tests" / "pbx" / "test_simulate.py").read_text(encoding="utf-8")
    assert 'SCENARIOS = REPO / "docker" / "qa" / "scenarios"' in tests
    assert sum(len(f.calls) for f in load_paths([shipped])) >= 14


def test_qa_targets_are_mounted_and_their_recordings_are_visible(compose: dict[str, Any]) -> None:
    from ivr.simulate.targets import from_file

    args = _qa_command(compose)
    paths = args[args.index("--targets") + 1 : args.index("--targets") + 3]
    targets = [from_file(DOCKER / _mounted(compose, p)) for p in paths]
    assert [t.name for t in targets] == ["pbx", "carrier"]
    assert f"recordings:{targets[0].recordings_dir}:ro" in compose["services"]["qa"]["volumes"]
