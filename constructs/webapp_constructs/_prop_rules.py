"""The rules of the props' fields: ports, names, labels, images, quantities, paths, reasons.

Each is a :func:`~._props.check` (a function from a value to its problems, with the JSON Schema
keywords that describe it), attached to a field with :func:`~._props.prop`. Kubernetes' own rules
come from :mod:`._rules`; the others say here why they are stricter.
"""

import re
from collections.abc import Callable, Mapping
from typing import Any, Literal

from . import _rules as rules
from ._audit import audit_annotation_problems
from ._props import Check, Problem, Term, check, int_range, literal, min_length, pattern
from ._reasons import REASON_LENGTH, reason_problems, visible_length

__all__ = [
    "ANNOTATIONS",
    "AUDIT_CHECK",
    "CAPABILITY",
    "CIDR",
    "CPU",
    "DIRECTORY",
    "DURATION",
    "FAILURES",
    "HIDDEN_BY_EMPTY_DIR",
    "HTTP_PATH",
    "IMAGE",
    "LABELS",
    "LABEL_VALUE",
    "MEMORY",
    "MIN_REFRESH_INTERVAL",
    "NAME",
    "NODE_PORT",
    "NON_EMPTY",
    "PERCENT",
    "PORT",
    "POSITIVE_SECONDS",
    "REASON",
    "REASON_LENGTH",
    "REFRESH_INTERVAL",
    "REMOTE_KEY",
    "REMOTE_KEY_LENGTH",
    "REPLICAS",
    "SCALE",
    "SECONDS",
    "SERVICE_NAME",
    "SUBDOMAIN",
    "UNRESERVED",
    "USER_ID",
    "WRITABLE_PATH",
    "PullPolicy",
    "ServiceType",
    "duration_seconds",
    "image_tag",
    "reason_problems",
    "visible_length",
]

PullPolicy = Literal["Always", "IfNotPresent", "Never"]
ServiceType = Literal["ClusterIP", "NodePort", "LoadBalancer"]


def _from(rule: Callable[[Any], list[str]], **schema: object) -> Check:
    """A rule of :mod:`._rules` as a props check."""
    return check(rule, **schema)


PORT = int_range(1, 65535, "port")
NODE_PORT = int_range(30000, 32767, "node port")
REPLICAS = int_range(0, 1000, "replica count")
SCALE = int_range(1, 1000, "replica count")
SECONDS = int_range(0, 3600, "number of seconds")
POSITIVE_SECONDS = int_range(1, 3600, "number of seconds")
USER_ID = int_range(0, 2147483647, "user or group id")
PERCENT = int_range(1, 100, "percentage")
FAILURES = int_range(1, 100, "failure threshold")
NAME = _from(rules.dns1123_label, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength=63)
SERVICE_NAME = _from(rules.dns1035_label, pattern=r"^[a-z]([-a-z0-9]*[a-z0-9])?$", maxLength=63)
"""The name of a service's objects, its Service's included: a DNS-1035 label (starts with a letter)."""
LABELS = _from(rules.labels)
LABEL_VALUE = _from(rules.label_value, maxLength=63)


def _annotations(annotations: Any) -> list[str]:
    return rules.annotation_keys_and_size(annotations) + audit_annotation_problems(annotations)


ANNOTATIONS = _from(_annotations)
"""Kubernetes' rules of annotations, and a reason for every policy-scanner exception among them."""
SUBDOMAIN = _from(rules.dns1123_subdomain, maxLength=253)
NON_EMPTY = min_length(1)
CIDR = _from(rules.cidr)
CAPABILITY = pattern(r"[A-Z][A-Z_]*", "a Linux capability in capitals, such as NET_BIND_SERVICE")
AUDIT_CHECK = pattern(r"CKV2?_K8S_\d+", "a checkov Kubernetes check ID such as CKV_K8S_15")


def _reason(text: str) -> list[str]:
    return reason_problems(text)


_SHOWS_NOTHING = (
    r"\s\x00-\x1f\x7f-\x9f\xad\u034f\u0600-\u0605\u061c\u06dd\u070f\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    r"\u200b-\u200f\u202a-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb"
)
"""The characters of the Basic Multilingual Plane that :func:`visible_length` does not count, most
used first, as a regular expression class (ECMA-262 and Python alike): what the JSON Schema's
pattern of a reason skips, so that an editor refuses a reason of zero-width spaces too."""

REASON = check(
    _reason,
    minLength=REASON_LENGTH,
    pattern=rf"^(?:[{_SHOWS_NOTHING}]*[^{_SHOWS_NOTHING}]){{{REASON_LENGTH}}}",
)

_CPU_FORMAT = r"(\d+(\.\d+)?|\.\d+)m?"
_MEMORY_FORMAT = r"(\d+(\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?"
_CPU = re.compile(_CPU_FORMAT)
_MEMORY = re.compile(_MEMORY_FORMAT)


def _cpu(text: str) -> list[str]:
    if not _CPU.fullmatch(text):
        return [f"{text!r} is not a CPU quantity (cores such as 0.5 or 2, or millicores such as 500m)"]
    return []


def _memory(text: str) -> list[str]:
    if not _MEMORY.fullmatch(text):
        return [f"{text!r} is not a memory quantity (bytes with a suffix such as 128Mi or 1Gi)"]
    return []


CPU = check(_cpu, pattern=rf"^{_CPU_FORMAT}$")
MEMORY = check(_memory, pattern=rf"^{_MEMORY_FORMAT}$")

_PATH = re.compile(r"/[^\s]*")


def _http_path(value: str) -> list[str]:
    if not _PATH.fullmatch(value):
        return [f"{value!r} is not an HTTP path (it starts with '/' and has no spaces)"]
    return []


HTTP_PATH = check(_http_path, pattern=r"^/[^\s]*$")

HIDDEN_BY_EMPTY_DIR = frozenset(
    {"/", "/app", "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/opt", "/proc", "/root"}
    | {"/sbin", "/sys", "/usr", "/usr/bin", "/usr/lib", "/usr/local", "/usr/sbin", "/usr/share", "/var", "/var/lib"}
)
"""Directories whose own files an image needs: an emptyDir mounted there would hide them."""


def _directory(value: str) -> list[str]:
    if not _PATH.fullmatch(value) or "//" in value or "/../" in value + "/" or "/./" in value + "/":
        return [f"{value!r} is not an absolute directory path (it starts with '/', without blanks, '//', '.' or '..')"]
    return []


DIRECTORY = check(_directory, pattern=r"^/[^\s]*$")


def _writable_path(value: str) -> list[str]:
    if found := _directory(value):
        return found
    normal = value.rstrip("/") or "/"
    if normal in HIDDEN_BY_EMPTY_DIR:
        return [
            f"{value} would hide the image's own files under an empty directory; "
            "list the directory the program writes to (such as /tmp or /var/cache/nginx) instead"
        ]
    return []


WRITABLE_PATH = check(_writable_path, pattern=r"^/[^\s]*$")

# A registry host (with optional port) and a path of lowercase components, as in the distribution
# reference grammar; then an optional tag and an optional digest.
_REPOSITORY = (
    r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?/)?"
    r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
)
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"sha256:[a-f0-9]{64}"
_IMAGE = re.compile(rf"(?P<repository>{_REPOSITORY})(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?")


def _image(value: str) -> list[str]:
    match = _IMAGE.fullmatch(value)
    if match is None:
        return [f"{value!r} is not an image reference (repository[:tag][@sha256:digest], e.g. ghcr.io/acme/api:1.0.0)"]
    if match["tag"] is None and match["digest"] is None:
        return [f"{value!r} has no tag or digest: an image without one silently means 'latest'"]
    return []


IMAGE = check(_image)


def image_tag(reference: str) -> str | None:
    """The tag of an image reference, if it has one."""
    match = _IMAGE.fullmatch(reference)
    return match["tag"] if match else None


_RESERVED_PREFIX = "app.kubernetes.io/"


def _unreserved(labels: Mapping[str, str]) -> list[Problem]:
    """Extra labels never set the recommended ``app.kubernetes.io/*`` ones: the construct does."""
    return [
        Problem.worded(
            (key,),
            f"{literal(key)} is set by the construct (from {{0}}, {{1}}, {{2}}, {{3}}, {{4}}); "
            "choose a key outside app.kubernetes.io/",
            *(Term.prop(name) for name in ("name", "instance", "part_of", "version", "component")),
            code="reserved-label",
            value=key,
        )
        for key in labels
        if key.startswith(_RESERVED_PREFIX)
    ]


UNRESERVED = check(_unreserved)
"""Extra labels never set the recommended ``app.kubernetes.io/*`` ones: the construct does."""


# --- the External Secrets Operator's (and Flux's) fields ---------------------------------------

_DURATION_FORMAT = r"([0-9]+(\.[0-9]+)?(ms|s|m|h))+"
_DURATION = re.compile(_DURATION_FORMAT)


def _duration(value: str) -> list[str]:
    if _DURATION.fullmatch(value):
        return []
    return [f"{value!r} is not a duration: a number and a unit (ms, s, m, h), repeated, such as 1h or 1m30s"]


DURATION = check(_duration, pattern=f"^{_DURATION_FORMAT}$")
"""A Go duration as the External Secrets and Flux CRDs accept it: ``1h``, ``5m``, ``1m30s``."""

_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)")


def duration_seconds(value: str) -> float:
    """The seconds of a duration :data:`DURATION` accepts (``1m30s``: 90.0)."""
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in _DURATION_PART.findall(value))


MIN_REFRESH_INTERVAL = 60
"""The shortest refresh interval, in seconds, but for ``0s`` (fetch once, never again): each
refresh reads the secret store, whose API is rate-limited (and often billed per call), for every
ExternalSecret of every namespace."""


def _refresh_interval(value: str) -> list[str]:
    problems = _duration(value)
    if problems or not 0 < duration_seconds(value) < MIN_REFRESH_INTERVAL:
        return problems
    return [
        f"{value!r} is shorter than 1m: each refresh reads the secret store, whose API is rate-limited; give 1m or "
        "more (such as 1h), or 0s to fetch once"
    ]


REFRESH_INTERVAL = check(_refresh_interval, pattern=f"^{_DURATION_FORMAT}$")
"""A refresh interval: a :data:`DURATION` of at least :data:`MIN_REFRESH_INTERVAL` seconds, or zero."""

REMOTE_KEY_LENGTH = 1024


def _remote_key(value: str) -> list[str]:
    if not value.strip():
        return ["is empty; name the entry of the secret store, such as prod/shop"]
    if len(value) > REMOTE_KEY_LENGTH:
        return [f"is {len(value)} characters long; at most {REMOTE_KEY_LENGTH}"]
    if not value.isprintable() or value != value.strip():
        return [f"{value!r}: no blanks around it, no control characters"]
    return []


REMOTE_KEY = check(_remote_key, minLength=1, maxLength=REMOTE_KEY_LENGTH)
"""The name of an entry of the secret store (a path, a name): printable, at most 1024 characters."""
