"""A release as a Helm chart: ``main.py --format helm --chart-version X`` and
``npx cdk8s synth --format helm --chart-version X``.

The chart is the rendered manifests, packaged for teams that install with Helm; it is not a
template. So:

* ``Chart.yaml`` comes from the values: the name is the application (``appName``, else the release),
  ``appVersion`` the values' ``appVersion``, ``version`` the ``--chart-version`` given, the
  description the values' ``description``.
* Helm executes every ``{{ ... }}`` in a template: a ConfigMap value ``hello {{ .Release.Name }}``
  would come out as ``hello r1``, and ``{{ lookup ... }}`` would read the cluster at install time.
  Every ``{{`` of the rendered manifests is escaped (``{{ "{{" }}``), so ``helm template`` prints
  exactly what the values say.
* No Secret with values is in a chart (a chart is a file to share, ``helm package`` writes its
  templates world-readable): the summary prints the ``kubectl create secret`` for each.
* No Namespace either: Helm keeps its release in the namespace it installs to, which must exist
  first (``--create-namespace``); a Namespace in the chart would then conflict with it. The summary
  prints the ``kubectl label namespace`` that enforces the Pod Security Standard the pods meet.

With ``npx cdk8s synth --format helm``, the cdk8s CLI writes a scaffold (its own ``Chart.yaml``,
named after the current directory, and a ``README.md``) and runs the app with ``CDK8S_OUTDIR`` set
to the scaffold's ``templates/``; :func:`.helm_scaffold.cli_scaffold` recognizes exactly that scaffold, and the
synth replaces it with the whole chart.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .helm_scaffold import CHART_FILE
from .helm_values import ChartTemplates, chart_templates

if TYPE_CHECKING:  # types only: the chart is made of what the synth rendered (.synth starts jsii when imported)
    from .synth import Rendered

__all__ = [
    "HelmChart",
    "chart_of",
    "migration_hooks",
    "pod_references",
]


class HelmChart(NamedTuple):
    """A release's chart: its files (name -> text, mode) and what its summary says."""

    files: dict[str, tuple[str, int]]
    name: str
    version: str
    rendered: Rendered
    """What the chart was made of."""
    pinned: str | None = None
    """Why the chart installs only into the namespace it was rendered for (None: into any; see
    :mod:`.helm_values`)."""

    def summary(self, outdir: Path) -> str:
        from .deploy import label_namespace_command
        from .release import NAMESPACE_FILE, SECRETS_FILE

        values = self.rendered.release.values
        templates = [name for name in self.files if name.startswith("templates/")]
        objects = sum(len(docs) for name, docs in self.rendered.files.items() if name not in (NAMESPACE_FILE, SECRETS_FILE))
        lines = [f"Helm chart {self.name} {self.version} (appVersion {values.app_version}) in {outdir}/: {objects} objects"]
        lines += [f"  {outdir / name}" for name in templates]
        for missing in self.rendered.release.missing_secrets:
            where = "is external" if missing.external else "is not in the chart (a chart would carry its values)"
            lines.append(f"Secret {missing.name} {where}; create it before installing:\n  {missing.kubectl_command()}")
        release = self.rendered.release
        namespace = values.namespace.name
        where = (
            f"only into {namespace}: {self.pinned}"
            if self.pinned
            else "here, or into any namespace but a kube-* one: --namespace puts every object there"
        )
        lines.append(f"Install ({where}; Helm creates the namespace, the chart holds no Namespace), then enforce Pod Security:")
        lines.append("  values it takes: image.tag, services.<name>.image.tag/.digest (values.yaml; any other is refused)")
        lines.append(f"  helm upgrade --install {values.release} {outdir} --namespace {namespace} --create-namespace")
        lines.append(f"  {label_namespace_command(namespace, release.pod_security, release.pod_security_exceptions)}")
        return "\n".join(lines)


def _readme(name: str, version: str, rendered: Rendered, templates: ChartTemplates) -> str:
    values = rendered.release.values
    namespace = values.namespace.name
    secrets = "".join(f"- `{m.name}`: `{m.kubectl_command()}`\n" for m in rendered.release.missing_secrets)
    where = (
        f"It installs only into namespace `{namespace}` ({templates.pinned}); anywhere else it fails, saying so.\n\n"
        if templates.pinned
        else "Every object goes to the namespace it is installed to (`--namespace`), never a `kube-*` one.\n\n"
    )
    taken = ", ".join(f"`services.{key}.image.tag`/`.digest`" for key in templates.services)
    return (
        f"# {name} {version}\n\n"
        f"{values.description or name} (appVersion {values.app_version}).\n\n"
        "Rendered by the todo-chatbot cdk8s values app (`main.py --format helm`): the templates are the finished\n"
        "manifests, with every `{{` escaped. With no value given, it installs them as they were rendered.\n\n"
        + where
        + "Values it takes (`values.schema.json` refuses any other, so nothing is silently ignored): `image.tag`, the\n"
        f"tag of every service's image, and {taken or 'none per service'}. An image pinned by digest needs its new digest\n"
        "with a new tag. Anything else: render the chart again from the values.\n\n"
        f"Install: `helm upgrade --install {values.release} . --namespace {namespace} --create-namespace`\n\n"
        + (f"Create these Secrets in the namespace first (the chart never holds Secret values):\n\n{secrets}" if secrets else "")
    )


MIGRATION_HOOK = {
    "helm.sh/hook": "pre-install,pre-upgrade",
    "helm.sh/hook-weight": "0",
    "helm.sh/hook-delete-policy": "before-hook-creation",
}
"""A migration Job in a chart: Helm creates it before the release's other objects, at install and
at every upgrade, and waits until it completed (a failed one fails the install)."""

PREREQUISITE_HOOK = {
    "helm.sh/hook": "pre-install,pre-upgrade",
    "helm.sh/hook-weight": "-5",
    "helm.sh/hook-delete-policy": "before-hook-creation",
    "helm.sh/resource-policy": "keep",
}
"""What a migration's pod reads, in a chart: hooks of a lower weight, created before the Job (Helm
creates no regular object before the pre-install hooks); kept when an upgrade or an uninstall
would delete them (an upgrade that moves them from the release's objects to hooks would, after the hooks ran)."""

_POD_SPEC_PATHS = {
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "Pod": ("spec",),
}


def pod_references(manifest: Mapping[str, Any]) -> set[tuple[str, str]]:
    """(kind, name) of every ServiceAccount, ConfigMap, Secret and PersistentVolumeClaim the pods
    of ``manifest`` (a workload) read."""
    spec: Any = manifest
    for key in _POD_SPEC_PATHS.get(str(manifest.get("kind")), ("-",)):
        spec = spec.get(key) if isinstance(spec, Mapping) else None
    if not isinstance(spec, Mapping):
        return set()
    found = {("ServiceAccount", str(spec.get("serviceAccountName") or "default"))}
    for container in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
        for env in container.get("env") or []:
            source = env.get("valueFrom") or {}
            for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                if key in source:
                    found.add((kind, str(source[key]["name"])))
        for whole in container.get("envFrom") or []:
            for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                if key in whole:
                    found.add((kind, str(whole[key]["name"])))
    for volume in spec.get("volumes") or []:
        sources = [volume, *((volume.get("projected") or {}).get("sources") or [])]
        for source in sources:
            if "configMap" in source:
                found.add(("ConfigMap", str(source["configMap"]["name"])))
            if "secret" in source:
                found.add(("Secret", str(source["secret"].get("secretName") or source["secret"].get("name"))))
        if "persistentVolumeClaim" in volume:
            found.add(("PersistentVolumeClaim", str(volume["persistentVolumeClaim"]["claimName"])))
    return found


def _provides(manifest: Mapping[str, Any]) -> tuple[str, str]:
    """(kind, name) of what ``manifest`` makes: an ExternalSecret its Secret, any other object itself."""
    name = str(manifest["metadata"]["name"])
    if manifest.get("kind") == "ExternalSecret":
        return "Secret", str(((manifest.get("spec") or {}).get("target") or {}).get("name") or name)
    return str(manifest.get("kind")), name


def _annotated(manifest: dict[str, Any], annotations: Mapping[str, str]) -> dict[str, Any]:
    metadata = dict(manifest["metadata"])
    metadata["annotations"] = dict(sorted({**(metadata.get("annotations") or {}), **annotations}.items()))
    return {**manifest, "metadata": metadata}


def migration_hooks(files: Mapping[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """``files`` as a chart holds them: each migration Job a pre-install/pre-upgrade hook
    (:data:`MIGRATION_HOOK`), and what its pods read that the chart holds (its ServiceAccount,
    ConfigMaps, ExternalSecrets, PVCs) hooks of a lower weight (:data:`PREREQUISITE_HOOK`), so
    that ``helm upgrade --install`` into an empty namespace completes."""
    from .deploy import is_migration

    needed: set[tuple[str, str]] = set()
    for docs in files.values():
        for manifest in docs:
            if is_migration(manifest):
                needed |= pod_references(manifest)
    if not needed:
        return dict(files)
    out: dict[str, list[dict[str, Any]]] = {}
    for name, docs in files.items():
        out[name] = [
            _annotated(m, MIGRATION_HOOK)
            if is_migration(m)
            else _annotated(m, PREREQUISITE_HOOK)
            if _provides(m) in needed
            else m
            for m in docs
        ]
    return out


def chart_of(rendered: Rendered, *, version: str, api_version: str = "v2") -> HelmChart:
    """The chart of ``rendered`` (rendered without any Secret value)."""
    import yaml

    from .release import NAMESPACE_FILE, SECRETS_FILE

    values = rendered.release.values
    name = values.part_of
    chart: dict[str, Any] = {"apiVersion": api_version, "name": name, "version": version}
    chart["description"] = values.description or f"{name}, rendered by cdk8s"
    if api_version == "v2":
        chart["type"] = "application"
    chart["appVersion"] = values.app_version
    docs: Mapping[str, list[dict[str, Any]]] = migration_hooks(rendered.files)
    templates = chart_templates(
        rendered, name, {file: manifests for file, manifests in docs.items() if file not in (NAMESPACE_FILE, SECRETS_FILE)}
    )
    files: dict[str, tuple[str, int]] = {
        CHART_FILE: (yaml.safe_dump(chart, sort_keys=False), 0o644),
        ".helmignore": (".cdk8s-synth\n", 0o644),
        "README.md": (_readme(name, version, rendered, templates), 0o644),
    }
    files.update({file: (text, 0o644) for file, text in templates.files.items()})
    return HelmChart(files, name, version, rendered, templates.pinned)
