"""What the program of docs/library.md (issue 21's contract, a bookshop in namespace `shop`) must render,
checked on its output wherever it runs: from a pip install in a project of its own
(tests/test_package.py) and as examples/quickstart.py in this repository (tests/test_examples.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.crd_schemas import validate_kubernetes
from tests.reachability import KUBE_DNS, Pod, allowed, pod_template, pods_of, stranger
from tests.restricted import restricted_violations

# Who connects to whom in the program, on which port: everything else between its pods is denied.
CONNECTIONS = {
    ("web", "api", 8000),
    ("mailer", "api", 8000),
    ("report", "api", 8000),
    ("api", "tools", 8001),
    ("api", "redis", 6379),
}
PORTS = {"web": 3000, "api": 8000, "tools": 8001, "redis": 6379}


def _by_short_name(pods: Mapping[str, Pod]) -> dict[str, Pod]:
    """cdk8s-plus names Redis `bookshop-redis-<hash>`, the Job is `migrate-<hash>`: by what the
    program calls them."""
    short: dict[str, Pod] = {}
    for name, pod in pods.items():
        for wanted in ("web", "api", "tools", "mailer", "report", "migrate", "redis"):
            if name == wanted or name.startswith(f"{wanted}-") or name.startswith(f"bookshop-{wanted}-"):
                short[wanted] = pod
    return short


def check_bookshop(objects: list[dict[str, Any]]) -> None:
    for manifest in objects:
        validate_kubernetes(manifest)
    assert all(m["metadata"].get("namespace") == "shop" for m in objects if m["kind"] != "Namespace")
    namespace = next(m for m in objects if m["kind"] == "Namespace")
    assert namespace["metadata"]["name"] == "shop"
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"

    templates = [t for t in map(pod_template, objects) if t is not None]
    assert len(templates) == 7  # web, api, tools, mailer, redis; the CronJob; the Job
    for template in templates:
        assert restricted_violations(template["spec"]) == [], template["metadata"]

    pods = _by_short_name(pods_of(objects))
    assert sorted(pods) == ["api", "mailer", "migrate", "redis", "report", "tools", "web"]
    for source in [*pods.values(), stranger("shop"), stranger("elsewhere")]:
        for target, port in PORTS.items():
            expected = (source.name, target, port) in CONNECTIONS or target == "web"  # browser-facing
            assert allowed(objects, source, pods[target], port) == expected, (source.name, target, port)
        for target in ("mailer", "report", "migrate"):  # serve nothing, admit nobody
            assert not allowed(objects, source, pods[target], 8000), (source.name, target)
        assert not allowed(objects, source, pods["api"], 8001)  # a connection opens one port only
    for pod in pods.values():
        assert allowed(objects, pod, KUBE_DNS, 53, "UDP")
        assert allowed(objects, pod, KUBE_DNS, 53, "TCP")
