"""What a Helm user may type at a chart of :mod:`.helm`, and what the chart does with it.

A chart that silently ignores ``--set`` or ``--namespace`` installs something else than its user
asked for. So the chart honours what it can and refuses the rest, in one line, before Helm
installs anything:

* **Its namespace.** Every object goes to ``.Release.Namespace`` (``helm install --namespace x``),
  when nothing but the objects' own ``metadata.namespace`` (and what names the release's namespace
  as such: a NetworkPolicy peer's ``kubernetes.io/metadata.name``, a RoleBinding subject's
  ``namespace``) names it. When anything else does (a ``namespace:`` field elsewhere, a DNS name
  ``<service>.<namespace>[.svc...]`` in a ConfigMap, say), the chart is pinned: installed into any
  other namespace it fails, naming the namespace it was rendered for and what names it. A
  namespace ``kube-*`` (the cluster's own, where Pod Security is commonly exempted) is refused.
* **Its values** (``values.schema.json``, closed: Helm refuses any other key, of ``--set`` or
  ``-f``): ``image.tag``, the tag of every service's image, and ``services.<name>.image.tag`` and
  ``.digest``, one service's. An image pinned by digest keeps its digest only under its own tag:
  a new tag without a new digest would run the old image, and is refused. A tag given in a values
  file as a number (``tag: 1.10`` is the number 1.1) is refused: quote it; ``--set image.tag=1234``
  is the string it looks like. A migration Job's name follows its image, as the values app names it
  after its pod template: a new image makes a new Job (a Job's template cannot change).

With no value given, ``helm template --namespace <the rendered one>`` prints the rendered manifests,
byte for byte.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from .release import Release
    from .synth import Rendered

__all__ = ["ChartTemplates", "chart_templates", "escape_templates", "values_schema"]

NAME_LABEL = "kubernetes.io/metadata.name"
_POD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"})
_TAG_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"
_DIGEST_PATTERN = r"^sha256:[a-f0-9]{64}$"


class ChartTemplates(NamedTuple):
    """A chart's templates and values files (name -> text), and the namespace it is pinned to
    (None: it installs into any namespace but the cluster's own)."""

    files: dict[str, str]
    pinned: str | None
    """Why the chart only installs into the namespace it was rendered for, or None."""
    services: tuple[str, ...]
    """The services whose image the chart takes a tag for."""


class _Image(NamedTuple):
    service: str
    repository: str
    tag: str
    digest: str

    @property
    def reference(self) -> str:
        return self.repository + (f":{self.tag}" if self.tag else "") + (f"@{self.digest}" if self.digest else "")


def escape_templates(text: str) -> str:
    """``text`` with every ``{{`` escaped for Go templates: Helm prints it literally."""
    return text.replace("{{", '{{ "{{" }}')


def _go(text: str) -> str:
    """``text`` as a Go template string literal."""
    return json.dumps(text)


def values_schema(services: Mapping[str, bool]) -> dict[str, Any]:
    """The chart's ``values.schema.json``: closed at every level. ``services``: each service the
    chart takes an image for (and whether its image is pinned by digest)."""
    tag: dict[str, Any] = {
        "description": "An image tag: a string (or a whole number given with --set)",
        "type": ["string", "integer"],
        "pattern": _TAG_PATTERN,
        "minimum": 0,
    }
    digest = {"description": "An image digest, sha256:<64 hex digits>", "type": "string", "pattern": _DIGEST_PATTERN}

    def closed(properties: dict[str, Any], description: str) -> dict[str, Any]:
        return {"description": description, "type": "object", "additionalProperties": False, "properties": properties}

    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        **closed(
            {
                "image": closed({"tag": tag}, "The image of every service"),
                "services": closed(
                    {
                        name: closed({"image": closed({"tag": tag, "digest": digest}, f"The image of {name}")}, name)
                        for name in services
                    },
                    "One service's values",
                ),
                "global": {"description": "Helm's values shared with a parent chart; this chart reads none", "type": "object"},
            },
            "The values this chart takes; any other is refused",
        ),
    }


def _images(release: Release, docs: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], _Image]]:
    """Each container of ``docs`` that runs the image of a service of ``release``, with that image."""
    from webapp_constructs import MigrationJob

    by_name: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {}
    for key, workload in release.services.items():
        name = workload.job_name() if isinstance(workload, MigrationJob) else workload.name
        for _, kind in type(workload).RENDERS:
            if kind in _POD_KINDS:
                by_name[(kind, name)] = (key, type(workload).POD_PATH)
    for doc in docs:
        found = by_name.get((str(doc.get("kind")), str((doc.get("metadata") or {}).get("name"))))
        if found is None:
            continue
        key, pod_path = found
        image = getattr(release.values.services[key], "image", None)
        if image is None:
            continue
        pod: Any = doc
        for part in pod_path:
            pod = pod.get(part) or {}
        spec = pod.get("spec") or {}
        for container in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
            if container.get("image") == image.reference:
                yield container, _Image(key, image.repository, image.tag or "", image.digest or "")


_LABEL_CHAR = "a-z0-9-"


def _namespace_references(doc: Any, namespace: str) -> Iterator[tuple[tuple[str | int, ...], bool]]:
    """Where ``doc`` names ``namespace``: (path, whether the chart templates it there). A string
    that is the namespace names it in a ``namespace`` field, a ``kubernetes.io/metadata.name``
    label, a ``namespaces`` list or a selector expression's ``values``; any string names it in a
    DNS name (``<service>.<namespace>``, ``...<namespace>.svc.cluster.local``). Names and label
    values that happen to equal it (a release named like its namespace) do not."""
    dns = re.compile(rf"(?<=[{_LABEL_CHAR}]\.){re.escape(namespace)}(?![{_LABEL_CHAR}])")
    kind = doc.get("kind") if isinstance(doc, Mapping) else None

    def walk(node: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], bool]]:
        if isinstance(node, Mapping):
            for key, value in node.items():
                yield from walk(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, (*path, index))
        elif isinstance(node, str) and node == namespace and len(path) > 1 and path[-2] in ("namespaces", "values"):
            yield path, False  # a pod affinity term's namespaces, a selector's expression values
        elif isinstance(node, str) and node == namespace and path and path[-1] in ("namespace", NAME_LABEL):
            templated = (
                path == ("metadata", "namespace")
                or (kind == "NetworkPolicy" and path[-3:-1] == ("namespaceSelector", "matchLabels"))
                or (kind in ("RoleBinding", "ClusterRoleBinding") and path[:1] == ("subjects",))
            )
            yield path, templated
        elif isinstance(node, str) and dns.search(node):
            yield path, False

    yield from walk(doc, ())


def _set(doc: Any, path: tuple[str | int, ...], value: str) -> None:
    for part in path[:-1]:
        doc = doc[part]
    doc[path[-1]] = value


def _where(doc: Mapping[str, Any], path: tuple[str | int, ...]) -> str:
    shown = ".".join(str(part) for part in path)
    return f"{doc.get('kind')} {(doc.get('metadata') or {}).get('name')} {shown}"


def chart_templates(rendered: Rendered, name: str, files: Mapping[str, list[dict[str, Any]]]) -> ChartTemplates:
    """The templates of the chart ``name`` of ``rendered``, whose manifests (by template file name,
    without ``templates/``) are ``files``: each object's namespace and each service's image
    templated (see the module), ``templates/_helpers.tpl`` with the checks every template runs
    first, ``values.yaml`` and ``values.schema.json``."""
    from .synth import dump_yaml

    namespace = rendered.release.values.namespace.name
    docs_by_file = {file: copy.deepcopy(docs) for file, docs in files.items()}
    nonce = secrets.token_hex(8)
    expressions: dict[str, str] = {}

    def sentinel(expression: str) -> str:
        token = f"helm-expression-{len(expressions)}-{nonce}"
        expressions[token] = expression
        return token

    # The namespace: templated, unless something else than the object's own place names it.
    references = [
        (doc, path, templated)
        for docs in docs_by_file.values()
        for doc in docs
        for path, templated in _namespace_references(doc, namespace)
    ]
    others = [_where(doc, path) for doc, path, templated in references if not templated]
    pinned = f"{others[0]} names it" + (f" (and {len(others) - 1} more)" if len(others) > 1 else "") if others else None
    if pinned is None:
        for doc, path, _ in references:
            _set(doc, path, sentinel(f'{{{{ include "{name}.namespace" $ }}}}'))

    # The images: each service's, by tag (and digest).
    images: dict[str, _Image] = {}
    for docs in docs_by_file.values():
        for container, image in _images(rendered.release, docs):
            images[image.service] = image
            arguments = " ".join(_go(part) for part in (image.service, image.repository, image.tag, image.digest))
            container["image"] = sentinel(f'{{{{ include "{name}.image" (list $ {arguments}) | toYaml }}}}')
    # A migration Job's name: its image's.
    from webapp_constructs import MigrationJob

    for key, workload in rendered.release.services.items():
        if not isinstance(workload, MigrationJob) or key not in images:
            continue
        image = images[key]
        for docs in docs_by_file.values():
            for doc in docs:
                meta = doc.get("metadata") or {}
                if doc.get("kind") == "Job" and meta.get("name") == workload.job_name():
                    parts = (workload.job_name(), workload.name, *image, image.reference)
                    arguments = " ".join(_go(part) for part in parts)
                    meta["name"] = sentinel(f'{{{{ include "{name}.jobName" (list $ {arguments}) }}}}')

    out: dict[str, str] = {}
    for file, docs in docs_by_file.items():
        text = escape_templates(dump_yaml(docs))
        for token, expression in expressions.items():
            text = text.replace(token, expression)
        out[f"templates/{file}"] = f'{{{{- include "{name}.checks" . -}}}}\n' + text
    services = {key: bool(images[key].digest) for key in sorted(images)}
    out["templates/_helpers.tpl"] = _helpers(name, namespace, pinned, images)
    out["values.schema.json"] = json.dumps(values_schema(services), indent=2) + "\n"
    out["values.yaml"] = _values_yaml(namespace, pinned, images)
    return ChartTemplates(out, pinned, tuple(sorted(images)))


def _values_yaml(namespace: str, pinned: str | None, images: Mapping[str, _Image]) -> str:
    where = (
        f"# It installs only into namespace {namespace} ({pinned}).\n"
        if pinned
        else "# Every object goes to the namespace installed to (--namespace); never a kube-* one.\n"
    )
    lines = [
        "# The values this chart takes (values.schema.json refuses any other); none is needed:",
        "# with none, the chart installs the manifests as they were rendered.",
        where.rstrip("\n"),
        "#",
        "# image:",
        "#   tag: 1.4.1  # the tag of every service's image",
        "# services:",
    ]
    for key, image in images.items():
        pinned_note = ", pinned: a new tag needs its digest" if image.digest else ""
        lines.append(f"#   {key}:  # rendered: {image.reference}{pinned_note}")
        lines.append("#     image: {tag: ..., digest: sha256:...}")
    return "\n".join(lines) + "\n{}\n"


_HELPERS = """\
{{/* Written by main.py --format helm: what the templates call (see values.yaml). */}}

{{/* The release's namespace, as YAML. */}}
{{- define "@NAME@.namespace" -}}
{{- .Release.Namespace | toYaml -}}
{{- end }}

{{/* The tag and digest asked for a service, (list $ service): a dict as JSON. */}}
{{- define "@NAME@.asked" -}}
{{- $values := (index . 0).Values -}}
{{- $asked := dict -}}
{{- with $values.image }}{{ if hasKey . "tag" -}}
{{- $_ := set $asked "tag" (toString .tag) -}}
{{- end }}{{ end -}}
{{- with $values.services }}{{ with index . (index $ 1) }}{{ with .image -}}
{{- if hasKey . "tag" }}{{ $_ := set $asked "tag" (toString .tag) }}{{ end -}}
{{- if hasKey . "digest" }}{{ $_ := set $asked "digest" (toString .digest) }}{{ end -}}
{{- end }}{{ end }}{{ end -}}
{{- $asked | toJson -}}
{{- end }}

{{/* A service's image, (list $ service repository tag digest): the rendered one unless a value asks another. */}}
{{- define "@NAME@.image" -}}
{{- $asked := include "@NAME@.asked" (list (index . 0) (index . 1)) | fromJson -}}
{{- $tag := index . 3 }}{{ $digest := index . 4 -}}
{{- if and (hasKey $asked "tag") (ne $asked.tag $tag) }}{{ $tag = $asked.tag }}{{ $digest = "" }}{{ end -}}
{{- if hasKey $asked "digest" }}{{ $digest = $asked.digest }}{{ end -}}
{{- index . 2 }}{{ if $tag }}:{{ $tag }}{{ end }}{{ if $digest }}@{{ $digest }}{{ end -}}
{{- end }}

{{/* A migration Job's name, (list $ rendered-name name service repository tag digest rendered-image):
     a new image, a new Job (a Job's pod template cannot change). */}}
{{- define "@NAME@.jobName" -}}
{{- $image := include "@NAME@.image" (list (index . 0) (index . 3) (index . 4) (index . 5) (index . 6)) -}}
{{- if eq $image (index . 7) }}{{ index . 1 }}{{ else -}}
{{- index . 2 }}-{{ printf "%s %s" (index . 1) $image | sha256sum | trunc 8 -}}
{{- end -}}
{{- end }}

{{/* Every template starts here: one line naming every value the chart cannot honour, or nothing. */}}
{{- define "@NAME@.checks" -}}
{{- $problems := list -}}
@WHERE@
{{- with .Values.image }}{{ if and (hasKey . "tag") (kindIs "float64" .tag) -}}
{{- $problems = append $problems (printf "image.tag: %v is a number in a values file (1.10 reads as 1.1): quote it" .tag) -}}
{{- end }}{{ end -}}
{{- $root := . -}}
{{- range $service, $rendered := `@DEFAULTS@` | fromJson -}}
{{- with $root.Values.services }}{{ with index . $service }}{{ with .image -}}
{{- if and (hasKey . "tag") (kindIs "float64" .tag) -}}
{{- $problems = append $problems (printf "services.%s.image.tag: %v is a number in a values file (1.10 reads as 1.1): quote it"
      $service .tag) -}}
{{- end -}}
{{- end }}{{ end }}{{ end -}}
{{- $asked := include "@NAME@.asked" (list $root $service) | fromJson -}}
{{- if and $rendered.digest (hasKey $asked "tag") (ne $asked.tag $rendered.tag) (not (hasKey $asked "digest")) -}}
{{- $problems = append $problems (printf
      "services.%s.image: pinned by digest %s; the tag %s alone would run the old image: give services.%s.image.digest too"
      $service $rendered.digest $asked.tag $service) -}}
{{- end -}}
{{- end -}}
{{- if $problems }}{{ fail (join "; " $problems) }}{{ end -}}
{{- end }}
"""

_PINNED = """\
{{- if ne .Release.Namespace @NAMESPACE@ -}}
{{- $problems = append $problems (printf @MESSAGE@ .Release.Namespace) -}}
{{- end -}}"""

_ANY = """\
{{- if hasPrefix "kube-" .Release.Namespace -}}
{{- $problems = append $problems (printf @MESSAGE@ .Release.Namespace) -}}
{{- end -}}"""


def _helpers(name: str, namespace: str, pinned: str | None, images: Mapping[str, _Image]) -> str:
    defaults = {key: {"tag": image.tag, "digest": image.digest} for key, image in sorted(images.items())}
    if pinned:
        message = (
            f"this chart was rendered for namespace {namespace} ({pinned}), not %s: install it with --namespace {namespace}, "
            "or render it again with namespace.name set to yours"
        )
        where = _PINNED.replace("@NAMESPACE@", _go(namespace))
    else:
        message = (
            "namespace %s is one of the cluster's own (kube-*), where Pod Security is commonly exempted: "
            "install into a namespace of the app's own"
        )
        where = _ANY
    where = where.replace("@MESSAGE@", _go(message.replace("%", "%%").replace("%%s", "%s")))
    return _HELPERS.replace("@WHERE@", where).replace("@DEFAULTS@", json.dumps(defaults, sort_keys=True)).replace("@NAME@", name)
