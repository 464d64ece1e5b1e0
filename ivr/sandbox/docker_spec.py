"""The two Asterisk instances of the Docker QA stack (``docker/compose.yaml``) as specs.

They are rendered by the sandbox's own code (``ivr.sandbox.render``), so the PBX a QA engineer
runs in Docker is configured exactly like the one the tests run here; only addresses, ports,
folders and the secret differ. ``ivr render docker --out docker/`` writes the result under
``docker/<role>/asterisk/``, where the images take it from; a unit test fails when those
committed copies no longer match this code.

Peers are addressed by the static IPs the compose file gives them: an identify ``match`` needs
an address, and each side needs the other's, so names resolved at start-up would make a cycle.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import PurePosixPath

from ivr.sandbox import render
from ivr.sandbox.instance import InstanceInfo
from ivr.sandbox.spec import AsteriskDirs, Endpoint, InstanceSpec, Role
from ivr.sandbox.state import ADMIN_USER

# Debian's multiarch folder on amd64. docker/pbx/Dockerfile links this path to the real folder
# on other machines and fails the build if res_pjsip.so is not found through it.
MODULES_DIR = PurePosixPath("/usr/lib/x86_64-linux-gnu/asterisk/modules")

# The compose network (a private range outside Docker's default pools); docker/compose.yaml
# repeats these and a unit test checks that it agrees.
SUBNET = "10.231.50.0/24"
SUBNET_PERMIT = "10.231.50.0/255.255.255.0"
ADDRESSES = {Role.PBX: "10.231.50.10", Role.CARRIER: "10.231.50.20"}
PEERS = {Role.PBX: Role.CARRIER, Role.CARRIER: Role.PBX}

ANY_ADDRESS = "0.0.0.0"  # noqa: S104 - inside the container; only the compose network reaches it
SIP_PORT = 5060
AMI_PORT = 5038
# Distinct per role so a capture of the whole network tells the two sides' media apart.
RTP_PORTS = {Role.PBX: (10000, 10999), Role.CARRIER: (20000, 20999)}

# Written in the repository, so no secret at all: it only keeps stray clients out. The AMI ports
# are reachable inside the compose network and on the host's loopback, nowhere else. QA only:
# never reuse this value, or these images, on a PBX that carries real calls.
QA_AMI_SECRET = "qa-only-not-a-secret"  # noqa: S105
QA_SERVICE_SECRET = "qa-only-service-not-a-secret"  # noqa: S105 - the service's AMI account

RECORDINGS_DIR = PurePosixPath("/var/spool/asterisk/monitor")


def spec(role: Role) -> InstanceSpec:
    return InstanceSpec(
        name=str(role),
        role=role,
        sip=Endpoint(ANY_ADDRESS, SIP_PORT),
        ami=Endpoint(ANY_ADDRESS, AMI_PORT),
        rtp_ports=RTP_PORTS[role],
        peer=Endpoint(ADDRESSES[PEERS[role]], SIP_PORT),
        ami_user=ADMIN_USER,
        ami_secret=QA_AMI_SECRET,
        ami_permit=SUBNET_PERMIT,
        service_secret=QA_SERVICE_SECRET if role is Role.PBX else "",
        dirs=AsteriskDirs.debian(MODULES_DIR),
    )


def render_stack() -> dict[str, dict[str, str]]:
    """Each role's configuration files, by role then file name."""
    return {str(role): render.render(spec(role)) for role in Role}


def render_targets() -> dict[str, str]:
    """How the ``qa`` container reaches each instance, by file name (``pbx.json``, ...).

    The same JSON line ``ivr sandbox up`` prints and ``IVR_TEST_PBX`` / ``IVR_TEST_CARRIER``
    accept, so tools written against the sandbox run unchanged against the stack.
    """
    return {f"{role}.json": json.dumps(asdict(_info(role)), indent=2) + "\n" for role in Role}


def _info(role: Role) -> InstanceInfo:
    return InstanceInfo(
        name=str(role),
        role=str(role),
        ami_host=ADDRESSES[role],
        ami_port=AMI_PORT,
        ami_username=ADMIN_USER,
        ami_secret=QA_AMI_SECRET,
        sip_host=ADDRESSES[role],
        sip_port=SIP_PORT,
        recordings_dir=str(RECORDINGS_DIR),
        pid=None,
    )
