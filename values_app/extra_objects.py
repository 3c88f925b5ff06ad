"""What ``extraObjects`` accepts: an escape hatch for objects the model lacks, not a back door.

An extra object is one object of the release, in its namespace, of a kind known to be namespaced
(:data:`NAMESPACED_KINDS`, :data:`CUSTOM_KINDS`), as the API server would accept it (Kubernetes
1.27's schema, strictly; a custom resource's schema with its top level closed), and it meets the
rules every rendered object meets:

* never a list of objects (``kind: List``, any ``items:``: kubectl, Kustomize and Helm unpack it,
  around every rule here), a Secret (its values would be in the file), a kind in the wrong case;
* never an object of the whole cluster, of another namespace, or of a kind not known to be
  namespaced;
* never an object the release renders itself (same API group, kind, namespace and name: the later
  one would win at apply), as the library's ``app.synth()`` refuses (:func:`conflicts`);
* a pod in it meets Pod Security "restricted", as the release's Namespace enforces; a workload
  that needs less is a service, whose relaxations carry their reasons;
* an Ingress with a configuration snippet (CVE-2021-25742) needs ``auditSkips.CKV_K8S_153``, as
  the release's own Ingress does; a NetworkPolicy never selects every pod of the namespace, and
  one that opens its pods to (or towards) anything needs a reason, as does a Service with
  ``externalIPs`` (CVE-2020-8554);
* what reaches beyond the release needs a reason (:data:`REASON_ANNOTATION`, 10+ visible
  characters): a RoleBinding to ``cluster-admin``, ``admin`` or ``edit`` (or any ClusterRole but
  ``view``), or to a subject that is not a ServiceAccount of the release; an Argo CD ``Application``/``ApplicationSet`` or a Flux
  ``Kustomization``/``GitRepository`` (each pulls another repository into the cluster).

Each problem names the field and what is allowed, never a value of the object beyond its kind,
names and the roles it binds (an object may hold a value pasted where it does not belong).
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from webapp_constructs import SNIPPET_CHECK, Problem, kind_of, pod_security, prop_rules, rules

__all__ = [
    "CLUSTER_SCOPED_KINDS",
    "CRD_SCHEMAS",
    "CUSTOM_KINDS",
    "NAMESPACED_KINDS",
    "REASON_ANNOTATION",
    "Release",
    "conflicts",
    "extra_object_problems",
    "shape_problems",
]


class _Named(Protocol):
    @property
    def name(self) -> str: ...


class Release(Protocol):
    """What these checks read of a release's values (:class:`~.model.AppValues` has it)."""

    @property
    def namespace(self) -> _Named: ...

    @property
    def services(self) -> Mapping[str, Any]: ...

    @property
    def extra_objects(self) -> Sequence[Mapping[str, Any]]: ...

    @property
    def audit_skips(self) -> Mapping[str, str]: ...

    def object_name(self, key: str) -> str: ...


NAMESPACED_KINDS: frozenset[tuple[str, str]] = frozenset(
    {
        ("v1", "ConfigMap"), ("v1", "LimitRange"), ("v1", "PersistentVolumeClaim"), ("v1", "Pod"),
        ("v1", "ResourceQuota"), ("v1", "Service"), ("v1", "ServiceAccount"),
        ("apps/v1", "DaemonSet"), ("apps/v1", "Deployment"), ("apps/v1", "ReplicaSet"), ("apps/v1", "StatefulSet"),
        ("autoscaling/v1", "HorizontalPodAutoscaler"), ("autoscaling/v2", "HorizontalPodAutoscaler"),
        ("batch/v1", "CronJob"), ("batch/v1", "Job"),
        ("networking.k8s.io/v1", "Ingress"), ("networking.k8s.io/v1", "NetworkPolicy"),
        ("policy/v1", "PodDisruptionBudget"),
        ("rbac.authorization.k8s.io/v1", "Role"), ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    }
)  # fmt: skip
"""The Kubernetes 1.27 kinds (apiVersion, kind) an extra object may be: namespaced, and what a
release may own. Not here, though namespaced: what the cluster's controllers write (Endpoints,
EndpointSlice, Event, Lease, ControllerRevision: an EndpointSlice of a release's Service would send
its traffic anywhere), and what carries a pod template this app does not check (PodTemplate,
ReplicationController)."""

CUSTOM_KINDS: Mapping[tuple[str, str], str] = {
    ("external-secrets.io/v1", "ExternalSecret"): "external-secrets.io/externalsecret_v1.json",
    ("external-secrets.io/v1", "SecretStore"): "external-secrets.io/secretstore_v1.json",
    ("bitnami.com/v1alpha1", "SealedSecret"): "bitnami.com/sealedsecret_v1alpha1.json",
    ("argoproj.io/v1alpha1", "Application"): "argoproj.io/application_v1alpha1.json",
    ("argoproj.io/v1alpha1", "ApplicationSet"): "argoproj.io/applicationset_v1alpha1.json",
    ("kustomize.toolkit.fluxcd.io/v1", "Kustomization"): "kustomize.toolkit.fluxcd.io/kustomization_v1.json",
    ("source.toolkit.fluxcd.io/v1", "GitRepository"): "source.toolkit.fluxcd.io/gitrepository_v1.json",
}
"""The namespaced custom resources an extra object may be, each with its schema under
:data:`CRD_SCHEMAS`."""

CRD_SCHEMAS = Path(__file__).resolve().parents[1].parent / "shared" / "crd-schemas"
"""The custom resources' JSON schemas (datreeio/CRDs-catalog), beside the repository."""

CLUSTER_SCOPED_KINDS = frozenset(
    {
        "APIService", "CSIDriver", "CSINode", "CertificateSigningRequest", "ClusterIssuer", "ClusterRole",
        "ClusterRoleBinding", "ClusterSecretStore", "ClusterExternalSecret", "CustomResourceDefinition", "FlowSchema",
        "IngressClass", "MutatingWebhookConfiguration", "Namespace", "Node", "PersistentVolume",
        "PriorityClass", "PriorityLevelConfiguration", "RuntimeClass", "StorageClass", "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding", "ValidatingWebhookConfiguration", "VolumeAttachment",
    }
)  # fmt: skip
"""Kinds known to belong to no namespace: said as such (any other kind not known is refused too)."""

REASON_ANNOTATION = "todo-chatbot/extra-object-reason"
"""The annotation of an extra object that says why it reaches beyond the release (it stays on the
object, for whoever reads it in the cluster)."""

PRIVILEGED_ROLES = frozenset({"cluster-admin", "admin", "edit"})
"""Cluster roles that grant writing every object of a namespace (``edit``: its Secrets too)."""

READ_ONLY_ROLES = frozenset({"view"})
"""The cluster role a RoleBinding may bind without a reason: it reads, Secrets excluded."""

PULLERS = frozenset(
    {
        ("argoproj.io", "Application"),
        ("argoproj.io", "ApplicationSet"),
        ("kustomize.toolkit.fluxcd.io", "Kustomization"),
        ("source.toolkit.fluxcd.io", "GitRepository"),
    }
)
"""Custom resources that make a GitOps controller apply what another repository holds."""

_KNOWN_BY_FOLDED = {kind.lower(): kind for _, kind in (*NAMESPACED_KINDS, *CUSTOM_KINDS)} | {
    kind.lower(): kind for kind in (*CLUSTER_SCOPED_KINDS, "Secret", "List")
}
_WAY_OUT = "create it outside the release (kubectl apply of its own file)"
_LIST = (
    "a list of objects, which kubectl, Kustomize and Helm unpack around every rule of extraObjects; "
    "give each object as an entry of extraObjects of its own"
)
_SECRET = "a Secret's values never live in a values file: declare it under secrets:"


def _a(kind: str) -> str:
    return f"{'an' if kind[:1] in 'AEIOU' else 'a'} {kind}"


def _group(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def shape_problems(obj: Any) -> list[str]:
    """What is wrong with the shape of one entry of ``extraObjects`` (the model's rule): a mapping
    with apiVersion, kind and metadata.name; never a list of objects, nor a Secret in any spelling."""
    if not isinstance(obj, Mapping):
        return ["an object is a mapping with apiVersion, kind and metadata.name"]
    found = [f"{key} is missing" for key in ("apiVersion", "kind") if not isinstance(obj.get(key), str) or not obj.get(key)]
    metadata = obj.get("metadata")
    if not isinstance(metadata, Mapping) or not isinstance(metadata.get("name"), str):
        found.append("metadata.name is missing")
    kind = obj.get("kind")
    folded = kind.lower() if isinstance(kind, str) else ""
    if "items" in obj or folded == "list" or (folded.endswith("list") and folded not in _KNOWN_BY_FOLDED):
        found.append(f"{kind if isinstance(kind, str) else 'an object'} with items: is {_LIST}")
    elif folded == "secret":
        found.append(_SECRET)
    return found


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _kind_problem(api_version: str, kind: str) -> str | None:
    """Why ``(api_version, kind)`` is not a kind an extra object may be, or None."""
    if (api_version, kind) in NAMESPACED_KINDS or (api_version, kind) in CUSTOM_KINDS:
        return None
    spelled = _KNOWN_BY_FOLDED.get(kind.lower())
    if spelled is not None and spelled != kind:
        return f"{kind} is not a kind: kinds are case-sensitive ({spelled})"
    if kind in CLUSTER_SCOPED_KINDS:
        return f"{_a(kind)} belongs to the whole cluster, not to a release in a namespace; {_WAY_OUT}"
    versions = sorted(v for v, k in (*NAMESPACED_KINDS, *CUSTOM_KINDS) if k == kind)
    if versions:
        return f"{_a(kind)} is {' or '.join(versions)} here, not {api_version}"
    if kind == "PushSecret":
        return (
            "a PushSecret copies a Secret of the cluster out to an external store; extraObjects has no schema of it "
            f"to check it against: {_WAY_OUT}"
        )
    return (
        f"{kind} ({api_version}) is not a kind extraObjects knows to be namespaced (the namespaced kinds of "
        "Kubernetes 1.27 a release owns, ExternalSecret, SecretStore, SealedSecret, Argo CD Application and "
        f"ApplicationSet, Flux Kustomization and GitRepository); {_WAY_OUT}"
    )


def extra_object_problems(values: Release) -> Iterator[Problem]:
    """Every problem of the release's ``extraObjects`` (each of the right shape: :func:`shape_problems`)."""
    namespace = values.namespace.name
    accounts = {values.object_name(key) for key in values.services}
    accounts |= {
        _text(obj["metadata"].get("name"))
        for obj in values.extra_objects
        if (obj.get("apiVersion"), obj.get("kind")) == ("v1", "ServiceAccount")
    }
    for index, obj in enumerate(values.extra_objects):
        at = ("extraObjects", index)
        api_version, kind = str(obj["apiVersion"]), str(obj["kind"])
        problem = _kind_problem(api_version, kind)
        if problem is not None:
            yield Problem((*at, "kind"), problem)
            continue
        schema_problems = list(_schema_problems(obj))
        if schema_problems:
            yield from (p.under(*at) for p in schema_problems)
            continue
        given = obj["metadata"].get("namespace")
        if given is not None and given != namespace:
            yield Problem(
                (*at, "metadata", "namespace"),
                f"{given} is not the release's namespace ({namespace}): an extra object lives in it (leave namespace out)",
            )
        yield from (p.under(*at) for p in _rule_problems(obj, values, accounts))


def _needs_reason(obj: Mapping[str, Any], path: tuple[str | int, ...], why: str) -> Iterator[Problem]:
    """``why`` at ``path`` unless ``obj`` gives its reason; the reason's own problems if it is too short."""
    annotations = obj["metadata"].get("annotations") or {}
    reason = annotations.get(REASON_ANNOTATION)
    if reason is None:
        yield Problem(
            path,
            f"{why}; or give the reason in metadata.annotations.{REASON_ANNOTATION} "
            f"({prop_rules.REASON_LENGTH}+ visible characters)",
        )
        return
    for message in prop_rules.REASON(reason):
        yield Problem(("metadata", "annotations", REASON_ANNOTATION), str(message))


def _rule_problems(obj: Mapping[str, Any], values: Release, accounts: set[str]) -> Iterator[Problem]:
    """The rules of a schema-valid extra object (see the module's docstring), at paths within it."""
    group, kind = _group(str(obj["apiVersion"])), str(obj["kind"])
    if kind == "RoleBinding":
        ref = obj["roleRef"]
        if ref.get("kind") == "ClusterRole" and ref.get("name") in PRIVILEGED_ROLES:
            yield from _needs_reason(
                obj,
                ("roleRef", "name"),
                f"{ref['name']} lets its subjects change every object of the namespace, the release's Secrets included: "
                "bind a Role of the release that grants what is needed",
            )
        elif ref.get("kind") == "ClusterRole" and ref.get("name") not in READ_ONLY_ROLES:
            yield from _needs_reason(
                obj,
                ("roleRef", "name"),
                f"ClusterRole {ref['name']} grants what is decided outside the release, whatever that is now or later: "
                "bind a Role of the release (or the ClusterRole view)",
            )
        for number, subject in enumerate(obj.get("subjects") or []):
            inside = (
                subject.get("kind") == "ServiceAccount"
                and subject.get("namespace", values.namespace.name) == values.namespace.name
                and subject.get("name") in accounts
            )
            if not inside:
                yield from _needs_reason(
                    obj,
                    ("subjects", number),
                    f"{subject.get('kind')} {subject.get('name')} is not a ServiceAccount of the release "
                    f"(one of {', '.join(sorted(accounts))}): bind those only",
                )
    if (group, kind) in PULLERS:
        yield from _needs_reason(
            obj,
            ("kind",),
            f"{_a(kind)} makes its controller apply what another repository holds, beside the release: "
            "deploy that repository on its own",
        )
    if kind == "Service" and (obj.get("spec") or {}).get("externalIPs"):
        yield from _needs_reason(
            obj,
            ("spec", "externalIPs"),
            "lets the Service take the traffic of every pod of the cluster to those addresses (CVE-2020-8554): "
            "use a Service without them",
        )
    if kind == "Ingress" and SNIPPET_CHECK not in values.audit_skips:
        annotations = obj["metadata"].get("annotations") or {}
        for key in rules.config_snippet_annotations(annotations):
            yield Problem(
                ("metadata", "annotations", key),
                "injects raw configuration into the ingress controller, which can then read every Secret it may "
                f"(CVE-2021-25742); give the reason in auditSkips.{SNIPPET_CHECK} to use it on purpose",
            )
    if kind == "NetworkPolicy":
        spec = obj.get("spec") or {}
        selector = spec.get("podSelector") or {}
        every_pod = not selector.get("matchLabels") and not selector.get("matchExpressions")
        if every_pod and (spec.get("ingress") or spec.get("egress")):
            yield Problem(
                ("spec", "podSelector"),
                "selects every pod of the namespace, the release's own included, and opens them to what it allows; "
                "select the pods it is for with matchLabels",
            )
        for direction, peers in (("ingress", "from"), ("egress", "to")):
            for number, rule in enumerate(spec.get(direction) or []):
                if _anywhere(rule.get(peers)):
                    yield from _needs_reason(
                        obj,
                        ("spec", direction, number),
                        f"opens the pods it selects {'to' if direction == 'ingress' else 'towards'} anything, "
                        "in every namespace and beyond the cluster: name the peers (podSelector, namespaceSelector with "
                        "labels, ipBlock narrower than 0.0.0.0/0)",
                    )
    spec = pod_security.pod_spec_of(obj)
    if spec is not None:
        below = pod_security.evaluate(spec).below("restricted")
        if below:
            yield Problem(
                ("spec",),
                f'its pods do not meet Pod Security "restricted", which the release\'s Namespace enforces ({"; ".join(below)}); '
                "run it as a service (services:), whose relaxations carry their reasons in auditSkips",
            )


def _anywhere(peers: Any) -> bool:
    """Whether a NetworkPolicy rule's ``from``/``to`` admits any source: none given, a peer that
    selects every namespace, or an ipBlock of every address."""
    if not peers:
        return True
    for peer in peers:
        block = peer.get("ipBlock")
        if block is not None and str(block.get("cidr")).endswith("/0"):
            return True
        namespaces = peer.get("namespaceSelector")
        if namespaces is not None and not namespaces.get("matchLabels") and not namespaces.get("matchExpressions"):
            pods = peer.get("podSelector")
            if pods is None or (not pods.get("matchLabels") and not pods.get("matchExpressions")):
                return True
    return False


# --- the schemas ----------------------------------------------------------------------------------


@functools.cache
def _kubernetes_schemas() -> tuple[str, Any]:
    """The directory of kubernetes-validate's strict 1.27 schemas, and their shared definitions
    (read once: 2 MB of JSON)."""
    from kubernetes_validate import utils
    from referencing import Resource

    version = [v for v in utils.all_versions() if utils.major_minor(v) <= "1.27"][-1]
    directory = f"kubernetes-json-schema/v{version}-local-strict"
    return directory, Resource.from_contents(utils.schema_contents(f"{directory}/_definitions.json", "1.27.0"))


@functools.cache
def _kubernetes_validator(api_version: str, kind: str) -> Any:
    import jsonschema
    from kubernetes_validate import utils
    from referencing import Registry, Resource

    directory, definitions = _kubernetes_schemas()
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema = utils.schema_contents(f"{directory}/{kind.lower()}-{group_version}.json", "1.27.0")
    registry: Any = definitions @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


@functools.cache
def _custom_validator(api_version: str, kind: str) -> Any:
    import jsonschema

    file = CRD_SCHEMAS / CUSTOM_KINDS[(api_version, kind)]
    schema: dict[str, Any] = json.loads(file.read_text(encoding="utf-8"))
    schema["additionalProperties"] = False  # the catalog leaves the top level open; the API server does not
    schema.setdefault("properties", {})
    schema["properties"]["apiVersion"] = {"const": api_version}
    schema["properties"]["kind"] = {"const": kind}
    schema["properties"]["metadata"] = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "namespace": {"type": "string"},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
        },
        "additionalProperties": False,
    }
    return jsonschema.validators.validator_for(schema)(schema)


def _schema_problems(obj: Mapping[str, Any]) -> Iterator[Problem]:
    """What the schema of ``obj``'s kind refuses of it, each at its field, without its value."""
    api_version, kind = str(obj["apiVersion"]), str(obj["kind"])
    if (api_version, kind) in CUSTOM_KINDS:
        if not (CRD_SCHEMAS / CUSTOM_KINDS[(api_version, kind)]).is_file():
            yield Problem(
                ("kind",), f"no schema of {_a(kind)} at {CRD_SCHEMAS} to check it against (../shared/crd-schemas); {_WAY_OUT}"
            )
            return
        validator = _custom_validator(api_version, kind)
    else:
        validator = _kubernetes_validator(api_version, kind)
    seen: set[tuple[tuple[str | int, ...], str]] = set()
    for error in sorted(validator.iter_errors(_plain(obj)), key=lambda e: [str(p) for p in e.absolute_path]):
        for path, message in _explain(error):
            if (path, message) not in seen:
                seen.add((path, message))
                yield Problem(path, message)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


_TYPES = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer", "boolean": "true or false"}


def _explain(error: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """One schema error as (field path, message): what is wrong and what is allowed, never the value
    (jsonschema's own message quotes it)."""
    path = tuple(error.absolute_path)
    keyword, expected = error.validator, error.validator_value
    if keyword == "additionalProperties" and isinstance(error.instance, Mapping):
        allowed = sorted((error.schema.get("properties") or {}).keys())
        known = set(allowed)
        unknown = [key for key in error.instance if key not in known]
        hint = f" (known: {', '.join(allowed)})" if allowed and len(allowed) <= 30 else ""
        return [((*path, key), f"unknown field{hint}") for key in unknown] or [(path, "holds a field its kind does not take")]
    if keyword == "required":
        missing = [name for name in expected if isinstance(error.instance, Mapping) and name not in error.instance]
        return [((*path, name), "is required") for name in missing]
    if keyword == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_TYPES.get(str(k), str(k)) for k in kinds if k != "null")
        return [(path, f"is {_described(error.instance)}, expected {wanted}")]
    if keyword == "enum":
        return [(path, f"is not one of {', '.join(str(v) for v in expected)}")]
    if keyword == "const":
        return [(path, f"must be {expected}")]
    if keyword in ("oneOf", "anyOf"):
        return [(path, "is none of the forms its kind takes")]
    if keyword in ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "pattern", "format"):
        return [(path, f"does not meet the schema's {keyword} {expected}")]
    return [(path, f"does not meet the schema ({keyword})")]


def _described(value: Any) -> str:
    return "null" if value is None else f"a {kind_of(value)}"


# --- one identity, one owner ----------------------------------------------------------------------


def _identity(manifest: Mapping[str, Any], namespace: str) -> tuple[str, str, str, str]:
    metadata = manifest.get("metadata") or {}
    group, kind = _group(str(manifest.get("apiVersion"))), str(manifest.get("kind"))
    return (group, kind, str(metadata.get("namespace") or namespace), str(metadata.get("name")))


def conflicts(values: Release, rendered: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """Each extra object with the identity (API group, kind, namespace, name) of an object of
    ``rendered`` (what the release renders, its extra objects included) other than itself."""
    namespace = values.namespace.name
    counts = Counter(_identity(manifest, namespace) for manifest in rendered)
    problems = []
    extras = Counter(_identity(obj, namespace) for obj in values.extra_objects)
    for index, obj in enumerate(values.extra_objects):
        identity = _identity(obj, namespace)
        if counts[identity] > 1:
            group, kind, _, name = identity
            if extras[identity] > 1:
                other, way_out = "another extra object", "rename one"
            else:
                other = "an object the release renders"
                way_out = "rename it, or change that object through the values that render it"
            shown = f"{kind} {name}" + (f" ({group})" if group else "")
            problems.append(
                Problem(
                    ("extraObjects", index, "metadata", "name"),
                    f"{shown} is {other}: the later one would replace it at apply; {way_out}",
                )
            )
    return problems
