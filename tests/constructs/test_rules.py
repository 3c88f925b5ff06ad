"""The mirrored Kubernetes validation rules, each tested exactly at its limits."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from tests.helpers import failing_rows
from webapp_constructs import _rules as rules
from webapp_constructs._rules import (
    MAX_CONFIG_SIZE,
    MAX_LABEL_LENGTH,
    MAX_SUBDOMAIN_LENGTH,
    TOTAL_ANNOTATION_SIZE_LIMIT,
    annotation_keys_and_size,
    cidr,
    config_map_key,
    config_map_size,
    dns1123_label,
    dns1123_subdomain,
    env_var_name,
    http_path,
    ingress_host,
    ip_address,
    label_value,
    labels,
    namespace_name,
    node_port,
    port_number,
    qualified_name,
    secret_size,
)

Rule = Callable[[Any], list[str]]


def subdomain(length: int) -> str:
    """A valid DNS-1123 subdomain of exactly ``length`` characters (labels of 62, then the rest)."""
    parts: list[str] = []
    left = length
    while left > 63:
        parts.append("a" * 62)
        left -= 63
    parts.append("b" * left)
    value = ".".join(parts)
    assert len(value) == length
    return value


def test_constants() -> None:
    assert (MAX_LABEL_LENGTH, MAX_SUBDOMAIN_LENGTH) == (63, 253)
    assert TOTAL_ANNOTATION_SIZE_LIMIT == 256 * 1024 == 262144
    assert MAX_CONFIG_SIZE == 1024 * 1024 == 1048576


def test_subdomain_helper_is_only_ever_too_long() -> None:
    assert dns1123_subdomain(subdomain(253)) == []
    [only] = dns1123_subdomain(subdomain(254))
    assert "is 254 characters" in only


VALID: list[tuple[Rule, Any]] = [
    # DNS-1123 label: 63 is the limit.
    (dns1123_label, "a"),
    (dns1123_label, "a" * 63),
    (dns1123_label, "my-name"),
    (dns1123_label, "123-abc"),
    (dns1123_label, "0"),
    # DNS-1123 subdomain: 253 is the limit.
    (dns1123_subdomain, "a"),
    (dns1123_subdomain, "example.com"),
    (dns1123_subdomain, subdomain(253)),
    (dns1123_subdomain, "a" * 63 + "." + "b" * 63),
    # Qualified name: name part 63, prefix 253.
    (qualified_name, "a"),
    (qualified_name, "MyName"),
    (qualified_name, "my.name"),
    (qualified_name, "123-abc"),
    (qualified_name, "a_b"),
    (qualified_name, "x" * 63),
    (qualified_name, "example.com/MyName"),
    (qualified_name, "app.kubernetes.io/name"),
    (qualified_name, subdomain(253) + "/name"),
    (qualified_name, "example.com/" + "x" * 63),
    # Label value: may be empty, 63 is the limit.
    (label_value, ""),
    (label_value, "x" * 63),
    (label_value, "my_value"),
    (label_value, "12345"),
    (label_value, "A.b-C_d"),
    # ConfigMap key: 253 is the limit; dots are fine unless the key is '.', '..' or starts with '..'.
    (config_map_key, "key.name"),
    (config_map_key, "KEY_NAME"),
    (config_map_key, "key-name"),
    (config_map_key, ".env"),
    (config_map_key, "a..b"),
    (config_map_key, "k" * 253),
    # Environment variable names: C identifiers.
    (env_var_name, "A"),
    (env_var_name, "_"),
    (env_var_name, "DATABASE_URL"),
    (env_var_name, "a1"),
    (env_var_name, "_x9"),
    # Ports.
    (port_number, 1),
    (port_number, 80),
    (port_number, 65535),
    (node_port, 30000),
    (node_port, 30100),
    (node_port, 32767),
    # CIDRs, as ParseCIDRSloppy reads them.
    (cidr, "10.0.0.0/8"),
    (cidr, "0.0.0.0/0"),
    (cidr, "192.168.1.1/32"),
    (cidr, "10.0.0.1/8"),
    (cidr, "10.0.0.0/08"),
    (cidr, "10.0.0.0/0008"),
    (cidr, "::/0"),
    (cidr, "fd00::/64"),
    (cidr, "2001:db8::/128"),
    (cidr, "::ffff:10.0.0.0/104"),
    (cidr, "FD00::/8"),
    # IP addresses.
    (ip_address, "10.9.8.7"),
    (ip_address, "0.0.0.0"),
    (ip_address, "255.255.255.255"),
    (ip_address, "2001:db8::ffff"),
    (ip_address, "::"),
    (ip_address, "::1"),
    (ip_address, "::ffff:1.2.3.4"),
    (ip_address, "FE80::1"),
    # Ingress hosts: a subdomain, or '*.' and one; empty matches every host.
    (ingress_host, ""),
    (ingress_host, "a"),
    (ingress_host, "example.com"),
    (ingress_host, "todo.example.com"),
    (ingress_host, "*.example.com"),
    (ingress_host, subdomain(253)),
    (ingress_host, "*." + subdomain(251)),
    # HTTP paths.
    (http_path, "/"),
    (http_path, "/healthz"),
    (http_path, "/api/v1/"),
    (http_path, "/a.b"),
    (http_path, "/.well-known/acme"),
    (http_path, "/a/..b"),
    (http_path, "/a%20b"),
    (http_path, "/a:b@c~d"),
    # Namespaces.
    (namespace_name, "demo"),
    (namespace_name, "todo-app"),
    (namespace_name, "a" * 63),
    (namespace_name, "kube"),
    (namespace_name, "kubernetes-apps"),
]


def test_valid() -> None:
    def check(rule: Rule, value: Any) -> None:
        assert rule(value) == [], rule.__name__

    assert failing_rows(VALID, check) == []


INVALID: list[tuple[Rule, Any, str]] = [
    # DNS-1123 label.
    (dns1123_label, "a" * 64, "is 64 characters; a DNS-1123 label has at most 63"),
    (dns1123_label, "", "is not a DNS-1123 label"),
    (dns1123_label, "-a", "is not a DNS-1123 label"),
    (dns1123_label, "a-", "is not a DNS-1123 label"),
    (dns1123_label, "My-name", "is not a DNS-1123 label"),
    (dns1123_label, "a_b", "is not a DNS-1123 label"),
    (dns1123_label, "a.b", "must not contain dots"),
    (dns1123_label, "a\n", "is not a DNS-1123 label"),
    (dns1123_label, "é", "is not a DNS-1123 label"),
    # DNS-1123 subdomain.
    (dns1123_subdomain, subdomain(254), "is 254 characters; a DNS-1123 subdomain has at most 253"),
    (dns1123_subdomain, "", "is not a DNS-1123 subdomain"),
    (dns1123_subdomain, "Example.com", "is not a DNS-1123 subdomain"),
    (dns1123_subdomain, "a..b", "is not a DNS-1123 subdomain"),
    (dns1123_subdomain, ".a", "is not a DNS-1123 subdomain"),
    (dns1123_subdomain, "a.", "is not a DNS-1123 subdomain"),
    (dns1123_subdomain, "a_b.com", "is not a DNS-1123 subdomain"),
    (dns1123_subdomain, "a.-b", "is not a DNS-1123 subdomain"),
    # Qualified name.
    (qualified_name, "x" * 64, "is 64 characters; a name part has at most 63"),
    (qualified_name, "example.com/" + "x" * 64, "is 64 characters; a name part has at most 63"),
    (qualified_name, subdomain(254) + "/name", "prefix 'aaaa"),
    (qualified_name, subdomain(254) + "/name", "is 254 characters; a DNS subdomain has at most 253"),
    (qualified_name, "/name", "the prefix before '/' is empty"),
    (qualified_name, "example.com/", "the name part is empty"),
    (qualified_name, "", "the name part is empty"),
    (qualified_name, "a/b/c", "more than one '/'"),
    (qualified_name, "Example.com/name", "prefix 'Example.com' is not a DNS-1123 subdomain"),
    (qualified_name, "-a", "is not valid: letters, digits, '-', '_' and '.'"),
    (qualified_name, "a-", "is not valid"),
    (qualified_name, "a b", "is not valid"),
    (qualified_name, "é", "is not valid"),
    # Label value.
    (label_value, "x" * 64, "is 64 characters; a label value has at most 63"),
    (label_value, "x" * 62 + "é", "is 64 bytes of UTF-8 (63 characters); a label value has at most 63"),
    (label_value, "-x", "is not a valid label value"),
    (label_value, "x-", "is not a valid label value"),
    (label_value, "a b", "is not a valid label value"),
    (label_value, "a/b", "is not a valid label value"),
    (label_value, "é", "is not a valid label value"),
    # ConfigMap key.
    (config_map_key, "k" * 254, "is 254 characters; a ConfigMap or Secret key has at most 253"),
    (config_map_key, "", "is not a valid ConfigMap or Secret key"),
    (config_map_key, "a/b", "is not a valid ConfigMap or Secret key"),
    (config_map_key, "a b", "is not a valid ConfigMap or Secret key"),
    (config_map_key, "é", "is not a valid ConfigMap or Secret key"),
    (config_map_key, ".", "must not be '.' or '..'"),
    (config_map_key, "..", "must not be '.' or '..'"),
    (config_map_key, "..a", "must not start with '..'"),
    # Environment variable names.
    (env_var_name, "", "is not a valid environment variable name"),
    (env_var_name, "1A", "is not a valid environment variable name"),
    (env_var_name, "A-B", "is not a valid environment variable name"),
    (env_var_name, "A.B", "is not a valid environment variable name"),
    (env_var_name, "A B", "is not a valid environment variable name"),
    (env_var_name, "É", "is not a valid environment variable name"),
    # Ports.
    (port_number, 0, "0 is not a valid port (1-65535)"),
    (port_number, -1, "-1 is not a valid port (1-65535)"),
    (port_number, 65536, "65536 is not a valid port (1-65535)"),
    (port_number, True, "True is not a valid port (1-65535)"),
    (node_port, 29999, "29999 is not a valid node port (30000-32767)"),
    (node_port, 32768, "32768 is not a valid node port (30000-32767)"),
    (node_port, 80, "80 is not a valid node port (30000-32767)"),
    # CIDRs.
    (cidr, "10.0.0.0", "it has no '/'"),
    (cidr, "", "it has no '/'"),
    (cidr, "10.0.0.0/33", "the prefix length is more than 32"),
    (cidr, "fd00::/129", "the prefix length is more than 128"),
    (cidr, "10.0.0.0/99999999999", "the prefix length is more than 32"),
    (cidr, "10.0.0.0/255.0.0.0", "must be a decimal number"),
    (cidr, "10.0.0.0/", "must be a decimal number"),
    (cidr, "10.0.0.0/-1", "must be a decimal number"),
    (cidr, "10.0.0.0/+8", "must be a decimal number"),
    (cidr, "10.0.0.0/8\n", "must be a decimal number"),
    (cidr, "10.0.0/8", "is not an IP address"),
    (cidr, "256.0.0.0/8", "is not an IP address"),
    (cidr, " 10.0.0.0/8", "is not an IP address"),
    (cidr, "010.0.0.0/8", "leading zeros"),
    (cidr, "fe80::1%eth0/64", "a zone ('%...') is not allowed"),
    # IP addresses.
    (ip_address, "", "is not an IP address"),
    (ip_address, "256.1.1.1", "is not an IP address"),
    (ip_address, "1.2.3", "is not an IP address"),
    (ip_address, "1.2.3.4.5", "is not an IP address"),
    (ip_address, "1::2::3", "is not an IP address"),
    (ip_address, "example.com", "is not an IP address"),
    (ip_address, " 1.2.3.4", "is not an IP address"),
    (ip_address, "1.2.3.4\n", "is not an IP address"),
    (ip_address, "010.1.1.1", "leading zeros"),
    (ip_address, "300.01.1.1", "is not an IP address: write"),
    (ip_address, "1.1.1." + "0" * 5000, "leading zeros"),
    (ip_address, "1.1.1." + "0" * 5000 + "256", "is not an IP address: write"),
    (ip_address, "fe80::1%eth0", "a zone ('%...') is not allowed"),
    # Ingress hosts.
    (ingress_host, subdomain(254), "is 254 characters; a host has at most 253"),
    (ingress_host, "*." + subdomain(252), "is 254 characters; a host has at most 253"),
    (ingress_host, "Example.com", "is not a valid Ingress host"),
    (ingress_host, "example.com.", "is not a valid Ingress host"),
    (ingress_host, "example.com:8080", "is not a valid Ingress host"),
    (ingress_host, "*", "is not a valid wildcard Ingress host"),
    (ingress_host, "*.*.example.com", "is not a valid wildcard Ingress host"),
    (ingress_host, "foo.*.com", "is not a valid wildcard Ingress host"),
    (ingress_host, "f*.example.com", "is not a valid wildcard Ingress host"),
    (ingress_host, "*example.com", "is not a valid wildcard Ingress host"),
    (ingress_host, "1.2.3.4", "is an IP address; an Ingress host must be a DNS name"),
    (ingress_host, "010.1.1.1", "is an IP address; an Ingress host must be a DNS name"),
    (ingress_host, "::1", "is an IP address; an Ingress host must be a DNS name"),
    (ingress_host, "1.1.1." + "0" * 300, "is an IP address; an Ingress host must be a DNS name"),
    # HTTP paths.
    (http_path, "", "must start with '/'"),
    (http_path, "healthz", "must start with '/'"),
    (http_path, "//x", "contains '//'"),
    (http_path, "/a//b", "contains '//'"),
    (http_path, "/a/./b", "contains '/./'"),
    (http_path, "/a/../b", "contains '/../'"),
    (http_path, "/a%2fb", "contains '%2f'"),
    (http_path, "/a%2Fb", "contains '%2F'"),
    (http_path, "/a/.", "ends with '/.'"),
    (http_path, "/.", "ends with '/.'"),
    (http_path, "/a/..", "ends with '/..'"),
    (http_path, "/a b", "contains whitespace"),
    (http_path, "/a\tb", "contains whitespace"),
    (http_path, "/a\nb", "contains whitespace"),
    (http_path, "/a\x00b", "control characters"),
    # Namespaces.
    (namespace_name, "a" * 64, "is 64 characters; a DNS-1123 label has at most 63"),
    (namespace_name, "Demo", "is not a DNS-1123 label"),
    (namespace_name, "demo.app", "must not contain dots"),
    (namespace_name, "kube-system", "kube-system is one of the cluster's own namespaces (kube-*): "),
    (namespace_name, "kube-public", "kube-public is one of the cluster's own namespaces (kube-*)"),
    (namespace_name, "kube-node-lease", "Pod Security"),
]


def test_invalid() -> None:
    def check(rule: Rule, value: Any, fragment: str) -> None:
        problems = rule(value)
        assert problems, f"{rule.__name__}({value!r}) found nothing"
        assert any(fragment in problem for problem in problems), problems
        assert all("\n" not in problem and problem.strip() == problem for problem in problems)

    assert failing_rows(INVALID, check) == []


def test_messages_as_documented() -> None:
    assert dns1123_label("Foo_") == [
        "'Foo_' is not a DNS-1123 label: lowercase letters, digits and '-', starting and ending alphanumeric, "
        "at most 63 characters"
    ]
    assert port_number(70000) == ["70000 is not a valid port (1-65535)"]
    assert node_port(29999) == ["29999 is not a valid node port (30000-32767)"]
    assert annotation_keys_and_size({"a": "x" * TOTAL_ANNOTATION_SIZE_LIMIT}) == [
        "the annotations total 262145 bytes; Kubernetes allows at most 262144 (256 KiB)"
    ]
    [kube] = namespace_name("kube-system")
    assert kube.startswith("kube-system is one of the cluster's own namespaces (kube-*): the app never deploys there")


def test_long_values_are_shortened_to_40_characters() -> None:
    [problem] = dns1123_label("A" * 50)
    assert "'" + "A" * 37 + "...'" in problem
    assert "A" * 38 not in problem


def test_control_characters_are_escaped_not_printed() -> None:
    [problem] = dns1123_label("a\nb")
    assert "'a\\nb'" in problem
    assert "\n" not in problem


def test_a_too_long_invalid_label_reports_both() -> None:
    assert len(dns1123_label("A" * 64)) == 2
    assert len(label_value("-" * 64)) == 2


# --- labels and annotations -----------------------------------------------------------------------


def test_labels_valid() -> None:
    assert labels({"app.kubernetes.io/name": "web", "tier": "", "x" * 63: "y" * 63}) == []


@pytest.mark.parametrize(
    ("mapping", "start", "fragment"),
    [
        ({"app": "-bad"}, "label 'app': ", "is not a valid label value"),
        ({"app": "v" * 64}, "label 'app': ", "is 64 characters; a label value has at most 63"),
        ({"x" * 64: "v"}, "label '" + "x" * 37 + "...': ", "a name part has at most 63"),
        ({subdomain(254) + "/k": "v"}, "label 'a", "the label key prefix 'a"),
        ({"Example.com/k": "v"}, "label 'Example.com/k': ", "the label key prefix 'Example.com' is not a DNS-1123 subdomain"),
        ({"/k": "v"}, "label '/k': ", "the prefix before '/' is empty"),
    ],
)
def test_labels_invalid(mapping: Mapping[str, str], start: str, fragment: str) -> None:
    [problem] = labels(mapping)
    assert problem.startswith(start)
    assert fragment in problem


def test_labels_reports_every_label() -> None:
    assert len(labels({"-a": "ok", "b": "-bad", "good": "fine"})) == 2


def test_annotation_keys_are_lowercased_first_like_go() -> None:
    assert annotation_keys_and_size({"Example.COM/Some-Key": "free text\nwith lines"}) == []
    assert labels({"Example.COM/Some-Key": "v"}) != []


def test_annotation_key_problems_name_the_key() -> None:
    [problem] = annotation_keys_and_size({"a/b/c": ""})
    assert problem.startswith("annotation 'a/b/c': ")
    [problem] = annotation_keys_and_size({"example.com/" + "k" * 64: ""})
    assert "a name part has at most 63" in problem


@pytest.mark.parametrize(
    ("annotations", "total"),
    [
        ({"a": "x" * 262143}, 262144),
        ({"a": "x" * 262144}, 262145),
        # Keys count too.
        ({"a": "x" * 262139, "bcde": ""}, 262144),
        ({"a": "x" * 262140, "bcde": ""}, 262145),
        # Multi-byte UTF-8 counts in bytes: 'é' is 2.
        ({"a": "é" * 131071 + "x"}, 262144),
        ({"a": "é" * 131072}, 262145),
        ({"a": "€" * 87381}, 262144),
        ({"a": "€" * 87381 + "x"}, 262145),
    ],
)
def test_annotations_size_limit(annotations: Mapping[str, str], total: int) -> None:
    problems = annotation_keys_and_size(annotations)
    if total <= TOTAL_ANNOTATION_SIZE_LIMIT:
        assert problems == []
    else:
        assert problems == [f"the annotations total {total} bytes; Kubernetes allows at most 262144 (256 KiB)"]


# --- ConfigMap and Secret sizes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "total"),
    [
        ({"k": "x" * 1048576}, 1048576),
        ({"k": "x" * 1048577}, 1048577),
        ({"a": "x" * 524288, "b": "x" * 524288}, 1048576),
        ({"a": "x" * 524288, "b": "x" * 524289}, 1048577),
        # Keys are not counted (ValidateConfigMap sums len(value) only).
        ({"k" * 253: "x" * 1048576}, 1048576),
        # Multi-byte UTF-8 counts in bytes.
        ({"k": "é" * 524288}, 1048576),
        ({"k": "é" * 524288 + "x"}, 1048577),
        ({}, 0),
    ],
)
def test_config_map_size_limit(data: Mapping[str, str], total: int) -> None:
    problems = config_map_size(data)
    if total <= MAX_CONFIG_SIZE:
        assert problems == []
    else:
        assert problems == [
            f"the ConfigMap data totals {total} bytes; Kubernetes allows at most 1048576 (1 MiB) of values, keys not counted"
        ]


@pytest.mark.parametrize(
    ("data", "total"),
    [
        ({"k": b"x" * 1048576}, 1048576),
        ({"k": b"x" * 1048577}, 1048577),
        ({"a": b"x" * 524288, "b": b"x" * 524289}, 1048577),
        # Keys are not counted.
        ({"k" * 253: b"x" * 1048576}, 1048576),
        # Bytes, not characters: 'é' encoded is 2 bytes.
        ({"k": "é".encode() * 524288}, 1048576),
        ({"k": "é".encode() * 524288 + b"x"}, 1048577),
    ],
)
def test_secret_size_limit(data: Mapping[str, bytes], total: int) -> None:
    problems = secret_size("app-secrets", data)
    if total <= MAX_CONFIG_SIZE:
        assert problems == []
    else:
        [problem] = problems
        assert "'app-secrets'" in problem
        assert f"{total} bytes" not in problem  # the size is computed from the values: never shown
        assert "1048576" in problem


def test_secret_message_never_contains_a_value() -> None:
    value = b"hunter2-" * 131073  # 1048584 bytes
    [problem] = secret_size("db", {"DATABASE_PASSWORD": value})
    assert "hunter2" not in problem
    assert "DATABASE_PASSWORD" not in problem
    assert problem == (
        "the Secret 'db' holds more data than Kubernetes allows, 1048576 bytes (1 MiB) decoded "
        "(neither its values nor its size are shown)"
    )
    assert "1048584" not in problem


# --- the module itself ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in rules.__all__ if callable(getattr(rules, n))])
def test_every_rule_names_its_kubernetes_source(name: str) -> None:
    doc = inspect.getdoc(getattr(rules, name))
    assert doc is not None
    assert "k8s.io/" in doc


@pytest.mark.parametrize(
    ("kind", "name", "owned"),
    [
        ("ServiceAccount", "default", True),
        ("Service", "kubernetes", True),
        ("Service", "default", False),
        ("Deployment", "kubernetes", False),
    ],
)
def test_names_the_cluster_owns(kind: str, name: str, owned: bool) -> None:
    assert bool(rules.cluster_owned_name(kind, name)) is owned
    manifest = {"apiVersion": "v1", "kind": kind, "metadata": {"name": name}}
    assert any("choose another name" in p for p in rules.object_problems(manifest)) is owned


def test_config_snippet_annotations() -> None:
    annotations = {
        "nginx.ingress.kubernetes.io/server-snippet": "x",
        "nginx.ingress.kubernetes.io/Configuration-Snippet": "x",
        "nginx.org/location-snippets": "x",
        "nginx.ingress.kubernetes.io/proxy-body-size": "8m",
        "example.com/snippet-count": "1",
    }
    assert rules.config_snippet_annotations(annotations) == [
        "nginx.ingress.kubernetes.io/Configuration-Snippet",
        "nginx.ingress.kubernetes.io/server-snippet",
        "nginx.org/location-snippets",
    ]


def test_finished_objects_labels_and_annotations_are_checked_whatever_their_values() -> None:
    """object_problems keys its cache by the metadata as it is: an unhashable or non-string value
    (a patch can put one there) is still checked, as its string."""
    meta = {"name": "x", "labels": {"app": "ok", "bad": "a b"}, "annotations": {"a/b/c": "1"}}
    first = rules.object_problems({"kind": "ConfigMap", "metadata": meta})
    assert rules.object_problems({"kind": "ConfigMap", "metadata": meta}) == first  # from the cache
    assert [p.split(":")[0] for p in first] == ["metadata.labels", "metadata.annotations"]
    odd = {"name": "x", "labels": {"list": ["a"], "number": 5}}
    problems = rules.object_problems({"kind": "ConfigMap", "metadata": odd})
    assert len(problems) == 1
    assert "['a']" in problems[0]
