"""A pod's ``affinity`` checked as the Kubernetes 1.27 API server checks it, before anything is
rendered: its OpenAPI schema strictly (every field known, every value of its type, the required
fields given) and the semantic rules of ``k8s.io/kubernetes/pkg/apis/core/validation``:

- ``ValidateAffinity``, ``validateNodeAffinity``, ``validatePodAffinity``, ``validatePodAntiAffinity``;
- ``ValidateNodeSelector`` (at least one term), ``ValidateNodeSelectorTerm``,
  ``ValidateNodeSelectorRequirement`` (operator and values, key a qualified name) and
  ``ValidateNodeFieldSelectorRequirement`` (``metadata.name`` only, one value, a node name);
- ``ValidatePreferredSchedulingTerms`` and the weighted pod terms: weight 1-100;
- ``validatePodAffinityTerm``: label and namespace selectors as
  ``k8s.io/apimachinery/pkg/apis/meta/v1/validation.ValidateLabelSelector`` (label values valid),
  namespaces DNS-1123 labels, ``topologyKey`` required and a qualified name.

Stricter than the API server in one place, said where it is: a ``Gt``/``Lt`` node selector value
must be an integer (the server stores any string, the scheduler then never matches it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from . import _rules as rules
from ._props import Problem, check, kind_of, nearest

__all__ = ["AFFINITY", "affinity_problems"]

_Path = tuple[str | int, ...]
_Found = list[Problem]


def _fields(value: Any, path: _Path, known: Sequence[str], required: Sequence[str], what: str, found: _Found) -> bool:
    """Whether ``value`` is a mapping of the fields ``known`` (reporting what is not)."""
    if not isinstance(value, Mapping):
        found.append(
            Problem(
                path, f"{_shown(value)} is a {kind_of(value)}, expected a mapping ({what}: {', '.join(known)})", "type", value
            )
        )
        return False
    for key in value:
        if key not in known:
            hint = nearest(str(key), known)
            found.append(
                Problem((*path, str(key)), f"{what} has no field {key!r}{hint} (it has {', '.join(known)})", "unknown", key)
            )
    for key in required:
        if value.get(key) is None:
            found.append(Problem((*path, key), f"is required in a {what}", "missing"))
    return True


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _list(value: Any, path: _Path, what: str, found: _Found) -> Sequence[Any]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        found.append(Problem(path, f"{_shown(value)} is a {kind_of(value)}, expected a list of {what}", "type", value))
        return ()
    return value


def _string(value: Any, path: _Path, found: _Found) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        found.append(Problem(path, f"{_shown(value)} is a {kind_of(value)}, expected a string", "type", value))
        return None
    return value


def _strings(value: Any, path: _Path, found: _Found) -> list[str] | None:
    """The strings of a list; None when it is not a list of strings (reported)."""
    before = len(found)
    out = []
    for index, entry in enumerate(_list(value, path, "strings", found)):
        text = _string(entry, (*path, index), found)
        if text is not None:
            out.append(text)
    return out if len(found) == before else None


def _weight(value: Any, path: _Path, found: _Found) -> None:
    if value is None:
        return
    if type(value) is not int:
        found.append(Problem(path, f"{_shown(value)} is a {kind_of(value)}, expected an integer (1-100)", "type", value))
    elif not 1 <= value <= 100:
        found.append(Problem(path, f"{value} is not a weight (1-100)", "rule", value))


def _said(messages: list[str], path: _Path, found: _Found) -> None:
    found += [Problem(path, message, "rule") for message in messages]


_NODE_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
_LABEL_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def _operator_values(operator: str | None, values: list[str] | None, path: _Path, allowed: Sequence[str], found: _Found) -> None:
    if operator is None or values is None:
        return
    if operator not in allowed:
        found.append(
            Problem((*path, "operator"), f"{operator!r} is not a selector operator ({', '.join(allowed)})", "rule", operator)
        )
    elif operator in ("In", "NotIn") and not values:
        found.append(Problem((*path, "values"), f"operator {operator} needs at least one value", "rule", values))
    elif operator in ("Exists", "DoesNotExist") and values:
        found.append(Problem((*path, "values"), f"operator {operator} takes no values; leave values out", "rule", values))
    elif operator in ("Gt", "Lt"):
        if len(values) != 1:
            found.append(Problem((*path, "values"), f"operator {operator} takes exactly one value", "rule", values))
        elif not values[0].lstrip("-").isdigit():
            found.append(
                Problem((*path, "values", 0), f"{values[0]!r}: operator {operator} compares with an integer", "rule", values[0])
            )


def _node_requirement(value: Any, path: _Path, found: _Found, *, field: bool) -> None:
    if not _fields(value, path, ("key", "operator", "values"), ("key", "operator"), "NodeSelectorRequirement", found):
        return
    key = _string(value.get("key"), (*path, "key"), found)
    operator = _string(value.get("operator"), (*path, "operator"), found)
    values = _strings(value.get("values"), (*path, "values"), found)
    if field:  # matchFields
        if key is not None and key != "metadata.name":
            found.append(Problem((*path, "key"), f"{key!r}: a node field selector selects by metadata.name only", "rule", key))
        if values is None:
            return
        if operator is not None and operator not in ("In", "NotIn"):
            found.append(
                Problem((*path, "operator"), f"{operator!r}: a node field selector's operator is In or NotIn", "rule", operator)
            )
        elif operator is not None and len(values) != 1:
            found.append(
                Problem((*path, "values"), "a node field selector takes exactly one value (a node name)", "rule", values)
            )
        for index, name in enumerate(values):
            _said(rules.dns1123_subdomain(name), (*path, "values", index), found)
        return
    _operator_values(operator, values, path, _NODE_OPERATORS, found)
    if key is not None:
        _said(rules.qualified_name(key), (*path, "key"), found)


def _node_term(value: Any, path: _Path, found: _Found) -> None:
    if not _fields(value, path, ("matchExpressions", "matchFields"), (), "NodeSelectorTerm", found):
        return
    for name, field in (("matchExpressions", False), ("matchFields", True)):
        for index, entry in enumerate(_list(value.get(name), (*path, name), "NodeSelectorRequirements", found)):
            _node_requirement(entry, (*path, name, index), found, field=field)


def _node_affinity(value: Any, path: _Path, found: _Found) -> None:
    required, preferred = "requiredDuringSchedulingIgnoredDuringExecution", "preferredDuringSchedulingIgnoredDuringExecution"
    if not _fields(value, path, (required, preferred), (), "NodeAffinity", found):
        return
    selector = value.get(required)
    where = (*path, required)
    if selector is not None and _fields(selector, where, ("nodeSelectorTerms",), ("nodeSelectorTerms",), "NodeSelector", found):
        terms = _list(selector.get("nodeSelectorTerms"), (*where, "nodeSelectorTerms"), "NodeSelectorTerms", found)
        if isinstance(selector.get("nodeSelectorTerms"), list | tuple) and not terms:
            found.append(Problem((*where, "nodeSelectorTerms"), "needs at least one node selector term", "missing"))
        for index, term in enumerate(terms):
            _node_term(term, (*where, "nodeSelectorTerms", index), found)
    for index, entry in enumerate(_list(value.get(preferred), (*path, preferred), "PreferredSchedulingTerms", found)):
        where = (*path, preferred, index)
        if _fields(entry, where, ("preference", "weight"), ("preference", "weight"), "PreferredSchedulingTerm", found):
            _weight(entry.get("weight"), (*where, "weight"), found)
            if entry.get("preference") is not None:
                _node_term(entry["preference"], (*where, "preference"), found)


def _label_selector(value: Any, path: _Path, found: _Found) -> None:
    if not _fields(value, path, ("matchExpressions", "matchLabels"), (), "LabelSelector", found):
        return
    labels = value.get("matchLabels")
    if labels is not None:
        if not isinstance(labels, Mapping):
            found.append(
                Problem((*path, "matchLabels"), f"{_shown(labels)} is a {kind_of(labels)}, expected a mapping", "type", labels)
            )
        elif all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
            _said(rules.labels(labels), (*path, "matchLabels"), found)
        else:
            found.append(Problem((*path, "matchLabels"), "label keys and values are strings (quote them)", "type", labels))
    expressions = _list(value.get("matchExpressions"), (*path, "matchExpressions"), "LabelSelectorRequirements", found)
    for index, entry in enumerate(expressions):
        where = (*path, "matchExpressions", index)
        if not _fields(entry, where, ("key", "operator", "values"), ("key", "operator"), "LabelSelectorRequirement", found):
            continue
        key = _string(entry.get("key"), (*where, "key"), found)
        operator = _string(entry.get("operator"), (*where, "operator"), found)
        values = _strings(entry.get("values"), (*where, "values"), found)
        _operator_values(operator, values, where, _LABEL_OPERATORS, found)
        if key is not None:
            _said(rules.qualified_name(key), (*where, "key"), found)
        for position, text in enumerate(values or ()):
            _said(rules.label_value(text), (*where, "values", position), found)


def _pod_term(value: Any, path: _Path, found: _Found) -> None:
    known = ("labelSelector", "namespaceSelector", "namespaces", "topologyKey")
    if not _fields(value, path, known, ("topologyKey",), "PodAffinityTerm", found):
        return
    for name in ("labelSelector", "namespaceSelector"):
        if value.get(name) is not None:
            _label_selector(value[name], (*path, name), found)
    for index, namespace in enumerate(_strings(value.get("namespaces"), (*path, "namespaces"), found) or ()):
        _said(rules.dns1123_label(namespace), (*path, "namespaces", index), found)
    key = _string(value.get("topologyKey"), (*path, "topologyKey"), found)
    if key is not None:
        _said(["is empty; name a node label such as topology.kubernetes.io/zone"] if not key else rules.qualified_name(key),
              (*path, "topologyKey"), found)  # fmt: skip


def _pod_affinity(value: Any, path: _Path, found: _Found, what: str) -> None:
    required, preferred = "requiredDuringSchedulingIgnoredDuringExecution", "preferredDuringSchedulingIgnoredDuringExecution"
    if not _fields(value, path, (required, preferred), (), what, found):
        return
    for index, term in enumerate(_list(value.get(required), (*path, required), "PodAffinityTerms", found)):
        _pod_term(term, (*path, required, index), found)
    for index, entry in enumerate(_list(value.get(preferred), (*path, preferred), "WeightedPodAffinityTerms", found)):
        where = (*path, preferred, index)
        if _fields(entry, where, ("podAffinityTerm", "weight"), ("podAffinityTerm", "weight"), "WeightedPodAffinityTerm", found):
            _weight(entry.get("weight"), (*where, "weight"), found)
            if entry.get("podAffinityTerm") is not None:
                _pod_term(entry["podAffinityTerm"], (*where, "podAffinityTerm"), found)


_PARTS: dict[str, Callable[[Any, _Path, _Found], None]] = {
    "nodeAffinity": _node_affinity,
    "podAffinity": lambda value, path, found: _pod_affinity(value, path, found, "PodAffinity"),
    "podAntiAffinity": lambda value, path, found: _pod_affinity(value, path, found, "PodAntiAffinity"),
}


def affinity_problems(affinity: Any) -> list[Problem]:
    """Every problem of ``affinity`` (a Kubernetes ``Affinity`` as Kubernetes spells it), each at
    its path inside it; empty when the 1.27 API server would accept it."""
    found: _Found = []
    if not _fields(affinity, (), tuple(_PARTS), (), "Affinity", found):
        return found
    for name, part in _PARTS.items():
        if affinity.get(name) is not None:
            part(affinity[name], (name,), found)
    return found


AFFINITY = check(affinity_problems)
