"""Render an instance's Asterisk configuration from its spec: a pure function, no I/O.

The sandbox and the Docker image both use it, so the PBX a QA engineer runs in Docker and the
one the tests run here are configured by the same code.
"""

from __future__ import annotations

from ivr import names
from ivr.sandbox import tls
from ivr.sandbox.dialplans import dialplan_for
from ivr.sandbox.shipped import dialplan_files
from ivr.sandbox.spec import InstanceSpec, Role

# Modules that would bind a port another instance also wants, talk to hardware or services
# that are not here, or need configuration we do not ship. Asterisk loads everything else.
NOLOAD_ALWAYS = (
    "chan_iax2.so",  # binds UDP 4569 on every address
    "pbx_dundi.so",  # binds UDP 4520
    "chan_unistim.so",  # binds UDP 5000
    "chan_motif.so",
    "res_xmpp.so",
    "chan_console.so",
    "chan_mobile.so",
    "chan_dahdi.so",
    "chan_audiosocket.so",
    "chan_websocket.so",
    "res_hep.so",
    "res_hep_pjsip.so",
    "res_hep_rtcp.so",
    "res_snmp.so",
    "res_statsd.so",
    "res_prometheus.so",
    "res_phoneprov.so",
    "res_pjsip_phoneprov_provider.so",
    "res_calendar.so",
    "res_calendar_caldav.so",
    "res_calendar_ews.so",
    "res_calendar_exchange.so",
    "res_calendar_icalendar.so",
    "res_config_ldap.so",
    "res_config_pgsql.so",
    "res_config_odbc.so",
    "res_odbc.so",
    "res_odbc_transaction.so",
    "cdr_pgsql.so",
    "cdr_odbc.so",
    "cdr_adaptive_odbc.so",
    "cdr_tds.so",
    "cdr_radius.so",
    "cel_pgsql.so",
    "cel_odbc.so",
    "cel_tds.so",
    "cel_radius.so",
    "app_voicemail_odbc.so",  # clashes with app_voicemail.so
    "pbx_lua.so",
    "pbx_ael.so",
    "res_stun_monitor.so",
    "res_smdi.so",
    "app_jack.so",
    "app_festival.so",
)

# Without this module two SIP legs are bridged by forwarding RTP below the core, and Asterisk
# raises no DTMF event for keys pressed during the conversation: an objection would go unseen.
NATIVE_RTP_MODULE = "bridge_native_rtp.so"


def render(spec: InstanceSpec) -> dict[str, str]:
    """Every configuration file of the instance, by file name."""
    files = {
        "asterisk.conf": _asterisk_conf(spec),
        "modules.conf": _modules_conf(spec),
        "logger.conf": _logger_conf(),
        "manager.conf": _manager_conf(spec),
        "pjsip.conf": _pjsip_conf(spec),
        "rtp.conf": _rtp_conf(spec),
        "extensions.conf": dialplan_for(spec),
        "features.conf": _features_conf(spec),
    }
    if spec.role is Role.PBX:
        files |= dialplan_files()  # installed as an administrator would
    return files


def _asterisk_conf(spec: InstanceSpec) -> str:
    d = spec.dirs
    return f"""\
; Rendered by ivr/sandbox/render.py for instance {spec.name!r} ({spec.role}); do not edit.
[directories]
astetcdir => {d.etc}
astmoddir => {d.modules}
astvarlibdir => {d.lib}
astdbdir => {d.db}
astkeydir => {d.lib}
astdatadir => {d.data}
astagidir => {d.data}/agi-bin
astspooldir => {d.spool}
astrundir => {d.run}
astlogdir => {d.log}
astcachedir => {d.cache}
astsbindir => /usr/sbin

[options]
documentation_language = en_US
; Call ids (UNIQUEID) start with the instance's name: PBXs sharing one store never clash.
systemname = {spec.name}
"""


def _modules_conf(spec: InstanceSpec) -> str:
    noload = list(NOLOAD_ALWAYS) + list(spec.extra_modules_noload)
    if not spec.native_rtp:
        noload.append(NATIVE_RTP_MODULE)
    lines = "\n".join(f"noload => {module}" for module in noload)
    return f"""\
[modules]
autoload = yes
{lines}
"""


def _logger_conf() -> str:
    return """\
[general]
dateformat = %F %T.%3q

[logfiles]
console => notice,warning,error
messages.log => notice,warning,error
"""


def _manager_tls(spec: InstanceSpec) -> str:
    if spec.ami_tls is None:
        return ""
    etc = spec.dirs.etc
    return f"""tlsenable = yes
tlsbindaddr = {spec.ami_tls.host}:{spec.ami_tls.port}
tlscertfile = {etc}/{tls.CERT_FILE}
tlsprivatekey = {etc}/{tls.KEY_FILE}
"""


def _manager_conf(spec: InstanceSpec) -> str:
    return f"""\
[general]
enabled = yes
bindaddr = {spec.ami.host}
port = {spec.ami.port}
displayconnects = no
{_manager_tls(spec)}
; Administrative account for tests and QA (originate, PlayDTMF, hang up, CLI commands).
; The consent service uses its own least-privilege account (dialplan/manager-ivr.conf).
[{spec.ami_user}]
secret = {spec.ami_secret}
deny = 0.0.0.0/0.0.0.0
permit = {spec.ami_permit}
read = all
write = all
writetimeout = 5000
""" + _service_account(spec)


CALL_ONLY_AMI_USER = "ivr-call-only"


def _service_account(spec: InstanceSpec) -> str:
    if not spec.service_secret:
        return ""
    return f"""
; The consent service's least-privilege account (as in dialplan/manager-ivr.conf).
[{names.SERVICE_AMI_USER}]
secret = {spec.service_secret}
deny = 0.0.0.0/0.0.0.0
permit = {spec.ami_permit}
read = {",".join(names.SERVICE_AMI_READ)}
write = {",".join(names.SERVICE_AMI_WRITE)}
writetimeout = 5000

; The same account narrowed to `write = call`, to measure what the consent flow would lose and
; what such an account may still do (tests/pbx/test_call_only_account.py, docs/ami-account.md).
[{CALL_ONLY_AMI_USER}]
secret = {spec.service_secret}
deny = 0.0.0.0/0.0.0.0
permit = {spec.ami_permit}
read = {",".join(names.SERVICE_AMI_READ)}
write = call
writetimeout = 5000
"""


def _features_conf(spec: InstanceSpec) -> str:
    include = '#include "ivr-features.conf"\n' if spec.role is Role.PBX else ""
    return f"""\
[general]

[featuremap]

[applicationmap]

{include}"""


def _pjsip_conf(spec: InstanceSpec) -> str:
    trunk = spec.role.trunk_name
    context = f"from-{trunk}"
    return f"""\
[transport-udp]
type = transport
protocol = udp
bind = {spec.sip}

; The trunk to the other instance: RFC 4733 digits, media through this Asterisk.
[{trunk}]
type = endpoint
transport = transport-udp
context = {context}
disallow = all
allow = ulaw,alaw
dtmf_mode = rfc4733
direct_media = no
rtp_symmetric = yes
aors = {trunk}

[{trunk}]
type = aor
contact = sip:{spec.peer}

[{trunk}]
type = identify
endpoint = {trunk}
match = {spec.peer}
""" + (_supervisor_endpoint() if spec.role is Role.PBX else "")


def _supervisor_endpoint() -> str:
    """A supervisor's phone reached through the carrier: known by its From user (looked up
    before the trunk's address), as a phone of its own would be by its endpoint."""
    return """
[global]
type = global
endpoint_identifier_order = username,ip,anonymous

[supervisor]
type = endpoint
transport = transport-udp
context = from-supervisor
identify_by = username
disallow = all
allow = ulaw,alaw
dtmf_mode = rfc4733
direct_media = no
rtp_symmetric = yes
"""


def _rtp_conf(spec: InstanceSpec) -> str:
    start, end = spec.rtp_ports
    return f"""\
[general]
rtpstart = {start}
rtpend = {end}
"""
