"""Kubernetes' own API validation rules, mirrored so bad values are refused at load time.

The API server validates every object it is sent; an apply that meets a bad value stops halfway,
with part of the release already changed. These functions apply the same rules before anything is
written. Each takes the value and returns the problems, one line each, empty when the value is
valid (like the Go functions, which return ``[]string``). Sizes are bytes of UTF-8, as Go's
``len()`` counts them. Semantics are those of Kubernetes 1.27: the ``k8s.io/apimachinery`` functions
as on its ``release-1.27`` branch, ``k8s.io/utils/net`` at the commit that branch pins; the
``k8s.io/kubernetes`` functions as read in newer and older copies, whose mirrored parts are the same
on both sides of 1.27 (``ValidateCIDR`` was replaced after 1.27 by ``IsValidCIDRForLegacyField``).

Rules and their Go sources:

- ``dns1123_label``: ``k8s.io/apimachinery/pkg/util/validation.IsDNS1123Label`` (at most 63).
- ``dns1123_subdomain``: ``k8s.io/apimachinery/pkg/util/validation.IsDNS1123Subdomain`` (at most 253).
- ``qualified_name``: ``k8s.io/apimachinery/pkg/util/validation.IsQualifiedName`` (prefix <= 253, name <= 63).
- ``label_value``: ``k8s.io/apimachinery/pkg/util/validation.IsValidLabelValue`` (at most 63, may be empty).
- ``labels``: ``k8s.io/apimachinery/pkg/apis/meta/v1/validation.ValidateLabels``.
- ``annotation_keys_and_size``: ``k8s.io/apimachinery/pkg/api/validation.ValidateAnnotations`` and
  ``ValidateAnnotationsSize`` (``TotalAnnotationSizeLimitB`` = 262144).
- ``config_map_key``: ``k8s.io/apimachinery/pkg/util/validation.IsConfigMapKey`` (at most 253).
- ``config_map_size``: ``k8s.io/kubernetes/pkg/apis/core/validation.ValidateConfigMap``
  (values only, at most ``k8s.io/kubernetes/pkg/apis/core.MaxSecretSize`` = 1048576).
- ``secret_size``: ``k8s.io/kubernetes/pkg/apis/core/validation.ValidateSecret`` (decoded values, at most 1048576).
- ``env_var_name``: our own rule, stricter than ``k8s.io/apimachinery/pkg/util/validation.IsEnvVarName``;
  it is ``IsCIdentifier``.
- ``port_number``: ``k8s.io/apimachinery/pkg/util/validation.IsValidPortNum`` (1-65535).
- ``node_port``: ``k8s.io/kubernetes/pkg/kubeapiserver/options.DefaultServiceNodePortRange`` (30000-32767).
- ``cidr``: ``k8s.io/kubernetes/pkg/apis/core/validation.ValidateCIDR`` = ``k8s.io/utils/net.ParseCIDRSloppy``.
- ``ip_address``: ``k8s.io/apimachinery/pkg/util/validation.IsValidIP`` = ``k8s.io/utils/net.ParseIPSloppy``.
- ``ingress_host``: the host rule of ``k8s.io/kubernetes/pkg/apis/networking/validation.validateIngressRules``
  (``IsDNS1123Subdomain`` or ``IsWildcardDNS1123Subdomain``, and not an IP address).
- ``http_path``: ``k8s.io/kubernetes/pkg/apis/networking/validation.validateHTTPIngressPath`` for pathType
  Prefix/Exact, plus our own rules (no whitespace; applied to probe paths too).
- ``namespace_name``: ``k8s.io/apimachinery/pkg/api/validation.ValidateNamespaceName`` plus our own rule
  refusing the cluster's ``kube-*`` namespaces; ``rendered_namespace_name``, the name of a Namespace the
  app renders, refuses ``default`` too.

Where a function is stricter than Kubernetes, its docstring says so and why.
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "MAX_CONFIG_SIZE",
    "MAX_LABEL_LENGTH",
    "MAX_SUBDOMAIN_LENGTH",
    "TOTAL_ANNOTATION_SIZE_LIMIT",
    "annotation_keys_and_size",
    "cidr",
    "cluster_owned_name",
    "config_map_key",
    "config_map_size",
    "config_snippet_annotations",
    "dns1035_label",
    "dns1123_label",
    "dns1123_subdomain",
    "env_var_name",
    "http_path",
    "ingress_host",
    "ip_address",
    "label_value",
    "labels",
    "namespace_name",
    "node_port",
    "object_problems",
    "port_number",
    "qualified_name",
    "rendered_namespace_name",
    "secret_size",
]

MAX_LABEL_LENGTH = 63
"""``DNS1123LabelMaxLength``, ``LabelValueMaxLength`` and the name part of a qualified name."""

MAX_SUBDOMAIN_LENGTH = 253
"""``DNS1123SubdomainMaxLength``; also the limit of a qualified-name prefix and a ConfigMap key."""

TOTAL_ANNOTATION_SIZE_LIMIT = 262144
"""``TotalAnnotationSizeLimitB`` (256 KiB): keys plus values of one object's annotations."""

MAX_CONFIG_SIZE = 1048576
"""``MaxSecretSize`` (1 MiB): the values of one ConfigMap, or of one Secret."""

_PORT_RANGE = (1, 65535)
_NODE_PORT_RANGE = (30000, 32767)  # DefaultServiceNodePortRange = PortRange{Base: 30000, Size: 2768}
_SHOWN_LENGTH = 40

# The Go patterns are anchored with ^...$, which in Go's RE2 means the very end of the text; these are
# used with re.fullmatch (Python's $ would also match before a trailing newline). The classes are ASCII.
_DNS1123_LABEL_FMT = r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL = re.compile(_DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN = re.compile(rf"{_DNS1123_LABEL_FMT}(?:\.{_DNS1123_LABEL_FMT})*")
_DNS1035_LABEL = re.compile(r"[a-z](?:[-a-z0-9]*[a-z0-9])?")
_WILDCARD_DNS1123_SUBDOMAIN = re.compile(rf"\*\.{_DNS1123_LABEL_FMT}(?:\.{_DNS1123_LABEL_FMT})*")
_QUALIFIED_NAME = re.compile(r"(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_CONFIG_MAP_KEY = re.compile(r"[-._a-zA-Z0-9]+")
_C_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DIGITS = re.compile(r"[0-9]+")
_DOTTED_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+){3}")

_LABEL_RULE = "lowercase letters, digits and '-', starting and ending alphanumeric, at most 63 characters"
_SUBDOMAIN_RULE = "lowercase letters, digits, '-' and '.', starting and ending alphanumeric, at most 253 characters"
_NAME_RULE = "letters, digits, '-', '_' and '.', starting and ending alphanumeric, at most 63 characters"
_IP_EXAMPLES = "an IPv4 address like '10.9.8.7' or an IPv6 address like '2001:db8::ffff'"
_CIDR_EXAMPLES = "an address, '/' and a prefix length, like '10.0.0.0/16' or 'fd00::/64'"

# validateHTTPIngressPath (pathType Prefix and Exact): invalidPathSequences and invalidPathSuffixes.
_INVALID_PATH_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
_INVALID_PATH_SUFFIXES = ("/..", "/.")

_KUBE_NAMESPACE_PREFIX = "kube-"


# --- helpers ---------------------------------------------------------------------------------------


def _byte_len(value: str) -> int:
    """Bytes of ``value`` in UTF-8, as Go's ``len(string)``.

    A lone surrogate (which JSON decoding turns into U+FFFD) counts as the 3 bytes it would take.
    """
    return len(value.encode("utf-8", "surrogatepass"))


def _show(value: str) -> str:
    """``value`` for a one-line message: quoted, control characters escaped, cut to 40 characters."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in value)
    if len(text) > _SHOWN_LENGTH:
        text = text[: _SHOWN_LENGTH - 3] + "..."
    return f"'{text}'"


def _length(value: str) -> str:
    """How long ``value`` is, in the unit Kubernetes counts: bytes (the same as characters for ASCII)."""
    size = _byte_len(value)
    if size == len(value):
        return f"{size} characters"
    return f"{size} bytes of UTF-8 ({len(value)} characters)"


def _qualified_name(value: str, what: str, *, fold_case: bool = False) -> list[str]:
    """IsQualifiedName, describing ``value`` as ``what``.

    With ``fold_case``, the rule is checked on ``value.lower()`` (as ValidateAnnotations does) while the
    messages show the value as written. Lowercasing never makes or removes a '/', so the parts line up.
    """
    shown_parts = value.split("/")
    parts = value.lower().split("/") if fold_case else shown_parts
    if len(parts) > 2:
        return [
            f"{_show(value)} is not a valid {what}: an optional DNS subdomain prefix and '/', then a name of {_NAME_RULE} "
            "(e.g. 'example.com/my-name'); it has more than one '/'"
        ]
    problems: list[str] = []
    if len(parts) == 2:
        prefix, shown_prefix = parts[0], shown_parts[0]
        if not prefix:
            problems.append(
                f"{_show(value)} is not a valid {what}: the prefix before '/' is empty; write 'name' or 'example.com/name'"
            )
        else:
            if _byte_len(prefix) > MAX_SUBDOMAIN_LENGTH:
                problems.append(
                    f"the {what} prefix {_show(shown_prefix)} is {_length(prefix)}; "
                    f"a DNS subdomain has at most {MAX_SUBDOMAIN_LENGTH}"
                )
            if not _DNS1123_SUBDOMAIN.fullmatch(prefix):
                problems.append(f"the {what} prefix {_show(shown_prefix)} is not a DNS-1123 subdomain: {_SUBDOMAIN_RULE}")
    name, shown_name = parts[-1], shown_parts[-1]
    if not name:
        problems.append(f"{_show(value)} is not a valid {what}: the name part is empty; it must be {_NAME_RULE}")
        return problems
    if _byte_len(name) > MAX_LABEL_LENGTH:
        problems.append(
            f"the name part {_show(shown_name)} of the {what} is {_length(name)}; a name part has at most {MAX_LABEL_LENGTH}"
        )
    if not _QUALIFIED_NAME.fullmatch(name):
        problems.append(f"the name part {_show(shown_name)} of the {what} is not valid: {_NAME_RULE}")
    return problems


def _sloppy_ipv4(value: str) -> bool:
    """Whether ``value`` is a dotted quad of octets 0-255, leading zeros allowed, as ParseIPSloppy reads IPv4.

    The octets are compared as digit strings, so a long run of zeros never reaches ``int()``'s digit limit.
    """
    if not _DOTTED_DECIMAL.fullmatch(value):
        return False
    octets = [octet.lstrip("0") or "0" for octet in value.split(".")]
    return all(len(octet) <= 3 and int(octet) <= 255 for octet in octets)


def _looks_like_ip(value: str) -> bool:
    """Whether ``k8s.io/utils/net.ParseIPSloppy`` accepts ``value`` (leading zeros in IPv4 included)."""
    return _sloppy_ipv4(value) or _ip_problem(value) is None


def _ip_problem(value: str) -> str | None:
    """Why ``value`` is not an IP address as Go's ``net.ParseIP`` reads it, or None when it is one.

    Python's ``ipaddress`` accepts one thing Go refuses, an IPv6 zone (``fe80::1%eth0``), so that is
    refused here first. Both refuse everything else Go refuses. ParseIPSloppy, unlike ``ipaddress``,
    still accepts leading zeros in an IPv4 octet, for compatibility with stored objects: Kubernetes
    1.27 reads them as decimal, other tools as octal, and newer Kubernetes (StrictIPCIDRValidation)
    refuses them. We refuse them too, saying why.
    """
    if "%" in value:
        return f"{_show(value)} is not an IP address: a zone ('%...') is not allowed; write {_IP_EXAMPLES}"
    if _sloppy_ipv4(value) and any(len(octet) > 1 and octet.startswith("0") for octet in value.split(".")):
        return (
            f"{_show(value)} has an IPv4 octet with leading zeros, which some tools read as octal and newer Kubernetes "
            "refuses; write it without them"
        )
    import ipaddress  # here: most synths check no address at all

    try:
        ipaddress.ip_address(value)
    except ValueError:
        return f"{_show(value)} is not an IP address: write {_IP_EXAMPLES}"
    return None


# --- names ----------------------------------------------------------------------------------------


def dns1123_label(value: str) -> list[str]:
    """A DNS-1123 label: object names such as a Namespace's or a Service port's target.

    Mirrors ``k8s.io/apimachinery/pkg/util/validation.IsDNS1123Label``: at most 63 bytes
    (``DNS1123LabelMaxLength``), matching ``[a-z0-9]([-a-z0-9]*[a-z0-9])?``.
    """
    problems: list[str] = []
    if _byte_len(value) > MAX_LABEL_LENGTH:
        problems.append(f"{_show(value)} is {_length(value)}; a DNS-1123 label has at most {MAX_LABEL_LENGTH}")
    if not _DNS1123_LABEL.fullmatch(value):
        if _DNS1123_SUBDOMAIN.fullmatch(value):
            problems.append(f"{_show(value)} is not a DNS-1123 label: it must not contain dots ({_LABEL_RULE})")
        else:
            problems.append(f"{_show(value)} is not a DNS-1123 label: {_LABEL_RULE}")
    return problems


def dns1035_label(value: str) -> list[str]:
    """A DNS-1035 label: the name of a Service (it becomes a DNS name that must not start with a
    digit).

    Mirrors ``k8s.io/apimachinery/pkg/util/validation.IsDNS1035Label`` (via
    ``ValidateServiceName`` in ``k8s.io/kubernetes/pkg/apis/core/validation``): at most 63 bytes,
    matching ``[a-z]([-a-z0-9]*[a-z0-9])?``.
    """
    problems: list[str] = []
    if _byte_len(value) > MAX_LABEL_LENGTH:
        problems.append(f"{_show(value)} is {_length(value)}; a DNS-1035 label has at most {MAX_LABEL_LENGTH}")
    if not _DNS1035_LABEL.fullmatch(value):
        problems.append(f"{_show(value)} is not a DNS-1035 label: {_LABEL_RULE}, starting with a letter")
    return problems


def dns1123_subdomain(value: str) -> list[str]:
    """A DNS-1123 subdomain: most object names (ConfigMap, Secret, Deployment, Ingress...).

    Mirrors ``k8s.io/apimachinery/pkg/util/validation.IsDNS1123Subdomain``: at most 253 bytes
    (``DNS1123SubdomainMaxLength``), dot-separated DNS-1123 labels.
    """
    problems: list[str] = []
    if _byte_len(value) > MAX_SUBDOMAIN_LENGTH:
        problems.append(f"{_show(value)} is {_length(value)}; a DNS-1123 subdomain has at most {MAX_SUBDOMAIN_LENGTH}")
    if not _DNS1123_SUBDOMAIN.fullmatch(value):
        problems.append(f"{_show(value)} is not a DNS-1123 subdomain: {_SUBDOMAIN_RULE}")
    return problems


def qualified_name(value: str) -> list[str]:
    """A qualified name: a label key or an annotation key, ``[prefix/]name``.

    Mirrors ``k8s.io/apimachinery/pkg/util/validation.IsQualifiedName``: an optional prefix that is a
    DNS-1123 subdomain (at most 253 bytes) followed by '/'; a name of at most 63 bytes matching
    ``([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]``. An empty prefix ('/name') and more than one '/' are errors.
    """
    return _qualified_name(value, "qualified name")


def label_value(value: str) -> list[str]:
    """A label value.

    Mirrors ``k8s.io/apimachinery/pkg/util/validation.IsValidLabelValue``: empty, or at most 63 bytes
    (``LabelValueMaxLength``) matching ``([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]``.
    """
    problems: list[str] = []
    if _byte_len(value) > MAX_LABEL_LENGTH:
        problems.append(f"the label value {_show(value)} is {_length(value)}; a label value has at most {MAX_LABEL_LENGTH}")
    if value and not _QUALIFIED_NAME.fullmatch(value):
        problems.append(f"{_show(value)} is not a valid label value: empty, or {_NAME_RULE}")
    return problems


def labels(labels: Mapping[str, str]) -> list[str]:
    """An object's labels: every key a qualified name, every value a label value.

    Mirrors ``k8s.io/apimachinery/pkg/apis/meta/v1/validation.ValidateLabels`` (``IsQualifiedName`` on
    each key, ``IsValidLabelValue`` on each value). Each message starts with the label's key.
    """
    problems: list[str] = []
    for key, value in labels.items():
        found = _qualified_name(key, "label key") + label_value(value)
        if found:
            where = f"label {_show(key)}: "
            problems.extend(where + problem for problem in found)
    return problems


def annotation_keys_and_size(annotations: Mapping[str, str]) -> list[str]:
    """An object's annotations: every key a qualified name, and keys plus values at most 256 KiB.

    Mirrors ``k8s.io/apimachinery/pkg/api/validation.ValidateAnnotations``: each key is lowercased
    (``strings.ToLower``) and must then be a qualified name, so the prefix may be written in capitals;
    and ``ValidateAnnotationsSize``: the sum of ``len(key) + len(value)`` in bytes must be at most
    ``TotalAnnotationSizeLimitB`` = 262144. Values themselves are free text.
    """
    problems: list[str] = []
    for key in annotations:
        where = f"annotation {_show(key)}: "
        problems.extend(where + problem for problem in _qualified_name(key, "annotation key", fold_case=True))
    total = sum(_byte_len(key) + _byte_len(value) for key, value in annotations.items())
    if total > TOTAL_ANNOTATION_SIZE_LIMIT:
        problems.append(f"the annotations total {total} bytes; Kubernetes allows at most {TOTAL_ANNOTATION_SIZE_LIMIT} (256 KiB)")
    return problems


def namespace_name(value: str) -> list[str]:
    """A namespace this app may be deployed to.

    Mirrors ``k8s.io/apimachinery/pkg/api/validation.ValidateNamespaceName`` (``NameIsDNSLabel``: a
    DNS-1123 label, at most 63 bytes). Our own rule on top: names starting with ``kube-`` (kube-system,
    kube-public, kube-node-lease) are the cluster's own. The app never deploys there: clusters commonly
    exempt those namespaces from Pod Security enforcement, so our pods would run unchecked beside the
    control plane's.
    """
    problems = dns1123_label(value)
    if value.startswith(_KUBE_NAMESPACE_PREFIX):
        shown = _show(value)[1:-1]
        problems.append(
            f"{shown} is one of the cluster's own namespaces (kube-*): the app never deploys there, because Pod Security "
            "is commonly exempted there; use a namespace of the app's own"
        )
    return problems


def rendered_namespace_name(value: str) -> list[str]:
    """The name of a Namespace object the app renders (``AppNamespace``), which labels it with the
    Pod Security level it enforces: :func:`namespace_name`
    (``k8s.io/apimachinery/pkg/api/validation.ValidateNamespaceName`` and no ``kube-*``), and never
    ``default`` either (our own rule).
    Applying such a Namespace relabels the cluster's own: ``default`` holds whatever was put there
    without a namespace, which the new level would refuse or let through unseen."""
    problems = namespace_name(value)
    if value == "default":
        problems.append(
            "default is the cluster's own namespace, which rendering it would relabel with the app's Pod Security "
            "level; use a namespace of the app's own, or render no Namespace there"
        )
    return problems


# --- ConfigMap and Secret data --------------------------------------------------------------------


def config_map_key(key: str) -> list[str]:
    """A key of a ConfigMap's or a Secret's data.

    Mirrors ``k8s.io/apimachinery/pkg/util/validation.IsConfigMapKey``: at most 253 bytes
    (``DNS1123SubdomainMaxLength``), matching ``[-._a-zA-Z0-9]+``, and not '.', '..' or starting
    with '..' (``hasChDirPrefix``: the key becomes a file name in a mounted volume).
    """
    problems: list[str] = []
    if _byte_len(key) > MAX_SUBDOMAIN_LENGTH:
        problems.append(f"the key {_show(key)} is {_length(key)}; a ConfigMap or Secret key has at most {MAX_SUBDOMAIN_LENGTH}")
    if not _CONFIG_MAP_KEY.fullmatch(key):
        problems.append(
            f"{_show(key)} is not a valid ConfigMap or Secret key: letters, digits, '-', '_' and '.', "
            f"at most {MAX_SUBDOMAIN_LENGTH} characters"
        )
    if key in {".", ".."}:
        problems.append(f"{_show(key)} is not a valid ConfigMap or Secret key: it must not be '.' or '..' (it names a file)")
    elif key.startswith(".."):
        problems.append(f"{_show(key)} is not a valid ConfigMap or Secret key: it must not start with '..' (it names a file)")
    return problems


def config_map_size(data: Mapping[str, str]) -> list[str]:
    """The total size of a ConfigMap's data.

    Mirrors ``k8s.io/kubernetes/pkg/apis/core/validation.ValidateConfigMap``: ``totalSize`` sums
    ``len(value)`` (bytes of UTF-8) over ``data`` and ``binaryData``; the keys are not counted. The total
    must be at most ``k8s.io/kubernetes/pkg/apis/core.MaxSecretSize`` = 1048576 (1 MiB). ``data`` is
    the ConfigMap's ``data``; ``binaryData`` values, if any, would count towards the same total.
    """
    total = sum(_byte_len(value) for value in data.values())
    if total > MAX_CONFIG_SIZE:
        return [
            f"the ConfigMap data totals {total} bytes; Kubernetes allows at most {MAX_CONFIG_SIZE} (1 MiB) of values, "
            "keys not counted"
        ]
    return []


def secret_size(name: str, data: Mapping[str, bytes]) -> list[str]:
    """The total size of a Secret's data. The message names the Secret and the limit, never a value
    nor the size (anything computed from a secret value stays out of logs).

    Mirrors ``k8s.io/kubernetes/pkg/apis/core/validation.ValidateSecret``: ``totalSize`` sums
    ``len(value)`` over ``data``, whose values are the decoded bytes (not their base64 text; a manifest's
    ``stringData`` is merged into ``data`` before validation); keys are not counted. The total must be
    at most ``k8s.io/kubernetes/pkg/apis/core.MaxSecretSize`` = 1048576 (1 MiB).
    """
    total = sum(len(value) for value in data.values())
    if total > MAX_CONFIG_SIZE:
        return [
            f"the Secret {_show(name)} holds more data than Kubernetes allows, {MAX_CONFIG_SIZE} bytes (1 MiB) decoded "
            "(neither its values nor its size are shown)"
        ]
    return []


def env_var_name(name: str) -> list[str]:
    """An environment variable name. Our own rule, stricter than Kubernetes'.

    Kubernetes 1.27 checks ``k8s.io/apimachinery/pkg/util/validation.IsEnvVarName``:
    ``[-._a-zA-Z][-._a-zA-Z0-9]*``, not '.', '..' or starting with '..'; no length limit. We require a C
    identifier, ``[A-Za-z_][A-Za-z0-9_]*`` (``IsCIdentifier``), so that every name also works as a shell
    variable in the printed ``kubectl create secret`` commands and in the containers' own shells.
    """
    if _C_IDENTIFIER.fullmatch(name):
        return []
    return [
        f"{_show(name)} is not a valid environment variable name here: letters, digits and '_', not starting with a digit "
        "(so it also works as a shell variable)"
    ]


# --- ports ----------------------------------------------------------------------------------------


def port_number(port: int) -> list[str]:
    """A container, Service or probe port number.

    Mirrors ``k8s.io/apimachinery/pkg/util/validation.IsValidPortNum``: 1 to 65535 inclusive.
    A bool (``true`` in YAML) is not a port.
    """
    low, high = _PORT_RANGE
    if isinstance(port, bool) or not low <= port <= high:
        return [f"{port} is not a valid port ({low}-{high})"]
    return []


def node_port(port: int) -> list[str]:
    """A Service's nodePort.

    The API server allocates node ports from ``--service-node-port-range``, by default
    ``k8s.io/kubernetes/pkg/kubeapiserver/options.DefaultServiceNodePortRange`` =
    ``PortRange{Base: 30000, Size: 2768}``, that is 30000 to 32767 inclusive; a Service asking for a
    port outside it is refused by ``k8s.io/kubernetes/pkg/registry/core/service/portallocator``
    (``ErrNotInRange``). Clusters with another range configured are not known here.
    """
    low, high = _NODE_PORT_RANGE
    if isinstance(port, bool) or not low <= port <= high:
        return [f"{port} is not a valid node port ({low}-{high})"]
    return []


# --- network addresses ----------------------------------------------------------------------------


def ip_address(value: str) -> list[str]:
    """An IPv4 or IPv6 address.

    Mirrors ``k8s.io/apimachinery/pkg/util/validation.IsValidIP`` (1.27), which is
    ``k8s.io/utils/net.ParseIPSloppy`` (Go's ``net.ParseIP`` before Go 1.17): dotted-quad IPv4, IPv6
    (with an optional trailing dotted quad), no zone. Stricter in one respect: an IPv4 octet with
    leading zeros ('010.1.1.1') is refused, since other tools read it as octal and Kubernetes 1.27
    reads it as decimal (newer Kubernetes refuses it too); likewise an IPv6 group of more than four
    hex digits ('00001::').
    """
    problem = _ip_problem(value)
    return [] if problem is None else [problem]


def cidr(value: str) -> list[str]:
    """An IPv4 or IPv6 CIDR, such as a NetworkPolicy ``ipBlock.cidr``.

    Mirrors ``k8s.io/kubernetes/pkg/apis/core/validation.ValidateCIDR`` (1.27), which is
    ``k8s.io/utils/net.ParseCIDRSloppy``: an address as ``ip_address`` reads it (so, like it, stricter
    than 1.27 about leading zeros in an IPv4 octet), '/', and a decimal prefix length (leading zeros
    allowed, as Go's ``dtoi`` does) of at most 32 (IPv4) or 128 (IPv6). Bits set after the prefix ('10.0.0.1/8') are
    accepted, as in 1.27 (the network is then 10.0.0.0/8). A netmask ('/255.0.0.0') or a missing
    prefix is refused, as in Go (Python's ``ipaddress`` would accept both).
    """
    address, slash, prefix = value.partition("/")
    if not slash:
        return [f"{_show(value)} is not a CIDR: it has no '/'; write {_CIDR_EXAMPLES}"]
    problem = _ip_problem(address)
    if problem is not None:
        return [f"{_show(value)} is not a CIDR: {problem}"]
    if not _DIGITS.fullmatch(prefix):
        return [f"{_show(value)} is not a CIDR: the prefix length must be a decimal number; write {_CIDR_EXAMPLES}"]
    import ipaddress

    parsed = ipaddress.ip_address(address)
    bits, version = parsed.max_prefixlen, parsed.version
    digits = prefix.lstrip("0") or "0"
    if len(digits) > 3 or int(digits) > bits:
        return [f"{_show(value)} is not a CIDR: the prefix length is more than {bits} (an IPv{version} address has {bits} bits)"]
    return []


def ingress_host(value: str) -> list[str]:
    """The host of an Ingress rule (or of an Ingress TLS entry).

    Mirrors the host rule of ``k8s.io/kubernetes/pkg/apis/networking/validation.validateIngressRules``
    (``validateIngressTLS`` applies the same two rules): a host containing '*' must pass
    ``k8s.io/apimachinery/pkg/util/validation.IsWildcardDNS1123Subdomain`` ('*.' and a DNS-1123
    subdomain, at most 253 bytes in all); any other host ``IsDNS1123Subdomain``; and a host that
    ``ParseIPSloppy`` reads as an IP address is refused ("must be a DNS name, not an IP address").
    An empty host is valid: Go checks only a non-empty host, and the rule then matches every host.
    """
    if not value:
        return []
    problems: list[str] = []
    if _looks_like_ip(value):
        problems.append(f"{_show(value)} is an IP address; an Ingress host must be a DNS name")
    if _byte_len(value) > MAX_SUBDOMAIN_LENGTH:
        problems.append(f"the Ingress host {_show(value)} is {_length(value)}; a host has at most {MAX_SUBDOMAIN_LENGTH}")
    if "*" in value:
        if not _WILDCARD_DNS1123_SUBDOMAIN.fullmatch(value):
            problems.append(
                f"{_show(value)} is not a valid wildcard Ingress host: '*.' followed by a DNS-1123 subdomain "
                f"({_SUBDOMAIN_RULE}), e.g. '*.example.com'"
            )
    elif not _DNS1123_SUBDOMAIN.fullmatch(value):
        problems.append(f"{_show(value)} is not a valid Ingress host: a DNS-1123 subdomain ({_SUBDOMAIN_RULE}) or '*.' and one")
    return problems


def http_path(value: str) -> list[str]:
    """An HTTP path: a probe's ``httpGet.path`` or an Ingress rule's path.

    For an Ingress path of pathType Prefix or Exact, mirrors
    ``k8s.io/kubernetes/pkg/apis/networking/validation.validateHTTPIngressPath``: it must start with '/'
    ("must be an absolute path"), must not contain any of ``invalidPathSequences`` ('//', '/./', '/../',
    '%2f', '%2F') and must not end with any of ``invalidPathSuffixes`` ('/..', '/.').

    Stricter than Kubernetes: the same rules apply to probe paths (``validateHTTPGetAction`` only
    requires a non-empty path), and whitespace or control characters are refused everywhere, since
    they must be percent-encoded in a request line.
    """
    if not value.startswith("/"):
        return [f"{_show(value)} is not an absolute HTTP path: it must start with '/'"]
    problems: list[str] = []
    if any(c.isspace() or not c.isprintable() for c in value):
        problems.append(f"{_show(value)} contains whitespace or control characters; an HTTP path has none (percent-encode them)")
    problems.extend(
        f"{_show(value)} contains '{sequence}', which Kubernetes refuses in an Ingress path"
        for sequence in _INVALID_PATH_SEQUENCES
        if sequence in value
    )
    problems.extend(
        f"{_show(value)} ends with '{suffix}', which Kubernetes refuses in an Ingress path"
        for suffix in _INVALID_PATH_SUFFIXES
        if value.endswith(suffix)
    )
    return problems


# --- what the cluster owns -------------------------------------------------------------------------

_CLUSTER_OWNED = {
    "ServiceAccount": {
        "default": "the ServiceAccount Kubernetes creates in every namespace (its pods run as it when they name no other)"
    },
    "Service": {
        "kubernetes": "the API server's Service: in namespace default it would replace it, and in any namespace the "
        "KUBERNETES_SERVICE_HOST the kubelet gives each pod would point the pods' API clients at it"
    },
}
"""Names the cluster gives its own objects, by kind (``k8s.io/kubernetes``: the ServiceAccount
controller's ``default`` and the API server's master Service ``kubernetes``)."""


def cluster_owned_name(kind: str, name: str) -> list[str]:
    """A name the cluster owns for objects of ``kind``: applying ours would take theirs over.

    Our own rule: the ServiceAccount controller (``k8s.io/kubernetes/pkg/controller/serviceaccount``)
    keeps a ServiceAccount ``default`` in every namespace, and the API server keeps the Service
    ``kubernetes`` in ``default``; the kubelet also injects ``KUBERNETES_SERVICE_HOST`` from a
    same-named Service of the pod's own namespace, so one elsewhere is refused too.
    """
    why = _CLUSTER_OWNED.get(kind, {}).get(name)
    return [f"{name} is {why}; choose another name"] if why else []


def config_snippet_annotations(annotations: Mapping[str, str]) -> list[str]:
    """The annotation keys that inject raw configuration into an ingress controller.

    ``*-snippet`` and ``*-snippets`` annotations (``nginx.ingress.kubernetes.io/server-snippet``,
    ``configuration-snippet``, ``auth-snippet``, ``stream-snippet``; NGINX Inc's
    ``nginx.org/server-snippets``; HAProxy's ``*-config-snippet``) write what they hold into the
    controller's configuration, which can read every Secret the controller may (CVE-2021-25742;
    ingress-nginx, ``k8s.io/ingress-nginx``, refuses them by default since 1.9:
    ``allow-snippet-annotations``). Our own rule: Kubernetes itself accepts any annotation.
    """
    return sorted(key for key in annotations if key.rsplit("/", 1)[-1].lower().endswith(("-snippet", "-snippets")))


# --- finished objects -------------------------------------------------------------------------------

_NAME_RULES = {"Namespace": namespace_name, "Service": dns1035_label}
"""The name rule of each kind whose names are not DNS-1123 subdomains."""


def object_problems(manifest: Mapping[str, Any]) -> list[str]:
    """What the API server would refuse of a finished object, as ``field: problem`` lines.

    Applies what ``k8s.io/apimachinery/pkg/api/validation.ValidateObjectMeta`` checks of every
    object (its name by kind: ``ValidateNamespaceName``, ``ValidateServiceName``, else
    ``NameIsDNSSubdomain``; ``ValidateLabels``; ``ValidateAnnotations``), the same for the pod
    template of a workload (``spec.template.metadata`` and, for a CronJob,
    ``spec.jobTemplate.spec.template.metadata``), and the size limits of ``ValidateConfigMap`` and
    ``ValidateSecret`` (a Secret's ``data`` is base64; its decoded size counts, and no value is
    ever shown).
    """
    problems: list[str] = []
    kind = str(manifest.get("kind", ""))
    meta = manifest.get("metadata") or {}
    name = meta.get("name")
    if isinstance(name, str):
        problems += [f"metadata.name: {p}" for p in _NAME_RULES.get(kind, dns1123_subdomain)(name)]
        problems += [f"metadata.name: {p}" for p in cluster_owned_name(kind, name)]
    problems += _meta_problems(meta, "metadata")
    spec = manifest.get("spec") or {}
    templates = [("spec.template.metadata", (spec.get("template") or {}).get("metadata"))]
    job = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}
    templates.append(("spec.jobTemplate.spec.template.metadata", job.get("metadata")))
    for where, template in templates:
        if isinstance(template, Mapping):
            problems += _meta_problems(template, where)
    if kind == "ConfigMap":
        data = manifest.get("data") or {}
        problems += [f"data.{key}: {p}" for key in data for p in config_map_key(str(key))]
        problems += [f"data: {p}" for p in config_map_size({k: str(v) for k, v in data.items()})]
    elif kind == "Secret":
        data = manifest.get("data") or {}
        decoded = {}
        for key, value in data.items():
            problems += [f"data.{key}: {p}" for p in config_map_key(str(key))]
            try:
                decoded[str(key)] = base64.b64decode(str(value), validate=True)
            except (ValueError, TypeError):
                problems.append(f"data.{key}: not base64 (the value is not shown)")
        problems += [f"data: {p}" for p in secret_size(str(name), decoded)]
    return problems


def _meta_problems(meta: Mapping[str, Any], where: str) -> list[str]:
    found = [f"{where}.labels: {p}" for p in _once(_labels_of, meta.get("labels"))]
    found += [f"{where}.annotations: {p}" for p in _once(_annotations_of, meta.get("annotations"))]
    return found


def _once(rule: Any, mapping: Any) -> tuple[str, ...]:
    """``rule`` of a metadata mapping, once per distinct one (the objects of a service share
    theirs): keyed by its items as they are (a value that cannot be hashed is checked uncached)."""
    items = tuple(mapping.items()) if mapping else ()
    try:
        return rule(items)  # type: ignore[no-any-return]
    except TypeError:
        return rule.__wrapped__(items)  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=1024)
def _labels_of(items: tuple[tuple[Any, Any], ...]) -> tuple[str, ...]:
    """:func:`labels` of the items, as strings."""
    return tuple(labels({str(k): str(v) for k, v in items}))


@functools.lru_cache(maxsize=1024)
def _annotations_of(items: tuple[tuple[Any, Any], ...]) -> tuple[str, ...]:
    return tuple(annotation_keys_and_size({str(k): str(v) for k, v in items}))
