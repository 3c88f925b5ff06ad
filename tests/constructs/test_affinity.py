"""A workload's ``affinity`` is refused where the 1.27 API server refuses it (issue 28, item 15):
its schema strictly, and its semantic rules. Each refusal is one mutation of a valid affinity,
next to it the accepted boundary; the schema refusals are checked apart, against Kubernetes'
own 1.27 JSON schema (tests/crd_schemas.py), which also accepts every accepted case."""

from __future__ import annotations

import copy
from typing import Any

import cdk8s
import jsonschema
import pytest

from tests.crd_schemas import validate_kubernetes
from tests.helpers import one
from webapp_constructs._affinity import affinity_problems
from webapp_constructs._api_service import ApiService
from webapp_constructs._props import PropsError

REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"

VALID: dict[str, Any] = {
    "nodeAffinity": {
        REQUIRED: {
            "nodeSelectorTerms": [
                {
                    "matchExpressions": [{"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]}],
                    "matchFields": [{"key": "metadata.name", "operator": "NotIn", "values": ["node-1"]}],
                }
            ]
        },
        PREFERRED: [
            {
                "weight": 100,
                "preference": {
                    "matchExpressions": [
                        {"key": "pool", "operator": "Exists"},
                        {"key": "cores", "operator": "Gt", "values": ["4"]},
                    ]
                },
            }
        ],
    },
    "podAffinity": {
        PREFERRED: [
            {
                "weight": 1,
                "podAffinityTerm": {
                    "labelSelector": {"matchLabels": {"app": "cache"}},
                    "namespaces": ["shop"],
                    "topologyKey": "kubernetes.io/hostname",
                },
            }
        ]
    },
    "podAntiAffinity": {
        REQUIRED: [
            {
                "labelSelector": {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "In", "values": ["api"]}]},
                "namespaceSelector": {},
                "topologyKey": "topology.kubernetes.io/zone",
            }
        ]
    },
}

NODE_TERM = ("nodeAffinity", REQUIRED, "nodeSelectorTerms", 0)
NODE_EXPRESSION = (*NODE_TERM, "matchExpressions", 0)
NODE_FIELD = (*NODE_TERM, "matchFields", 0)
PREFERENCE = ("nodeAffinity", PREFERRED, 0)
POD_TERM = ("podAffinity", PREFERRED, 0, "podAffinityTerm")
ANTI_TERM = ("podAntiAffinity", REQUIRED, 0)
LABEL_EXPRESSION = (*ANTI_TERM, "labelSelector", "matchExpressions", 0)


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """VALID with the value at ``path`` replaced (``...``: the key removed)."""
    changed = copy.deepcopy(VALID)
    holder: Any = changed
    for step in path[:-1]:
        holder = holder[step]
    if value is ...:
        del holder[path[-1]]
    else:
        holder[path[-1]] = value
    return changed


def _deployment(affinity: dict[str, Any]) -> dict[str, Any]:
    chart = cdk8s.Chart(cdk8s.Testing.app(), "shop", namespace="shop")
    ApiService(chart, "api", image="api:1", affinity=affinity)
    return one(cdk8s.Testing.synth(chart), "Deployment")


def test_a_valid_affinity_is_rendered_as_given_and_kubernetes_accepts_it() -> None:
    deployment = _deployment(VALID)
    assert deployment["spec"]["template"]["spec"]["affinity"] == VALID
    validate_kubernetes(deployment)
    assert affinity_problems({}) == []


def test_the_issue_case_names_the_construct_the_argument_the_value_and_what_is_expected() -> None:
    wrong = {"nodeAffinity": {REQUIRED: 5}}
    with pytest.raises(PropsError) as raised:
        _deployment(wrong)
    (line,) = str(raised.value).splitlines()
    assert line.startswith(f"ApiService 'api': affinity.nodeAffinity.{REQUIRED}: 5 ")
    assert "expected a mapping (NodeSelector: nodeSelectorTerms)" in line
    # the checker apart: Kubernetes' own schema refuses it too
    manifest = _deployment(VALID)
    manifest["spec"]["template"]["spec"]["affinity"] = wrong
    with pytest.raises(jsonschema.ValidationError):
        validate_kubernetes(manifest)


# (where, refused value, accepted value at the same place, what the message says)
SCHEMA = [
    ((*NODE_TERM[:3],), {"nodeSelectorTerms": []}, [{}], "is a mapping, expected a list"),
    ((*PREFERENCE, "weight"), "5", 5, "'5' is a string, expected an integer"),
    ((*PREFERENCE, "weight"), True, 1, "True is a boolean, expected an integer"),
    ((*NODE_EXPRESSION, "values"), "amd64", ["amd64"], "expected a list of strings"),
    ((*NODE_EXPRESSION, "values", 0), 64, "64", "64 is a number, expected a string"),
    ((*ANTI_TERM, "topologyKey"), ..., "kubernetes.io/hostname", "is required in a PodAffinityTerm"),
    ((*NODE_EXPRESSION, "operator"), ..., "In", "is required in a NodeSelectorRequirement"),
    ((*POD_TERM[:3], "weight"), ..., 50, "is required in a WeightedPodAffinityTerm"),
    (
        (*NODE_TERM, "matchExpression"),
        [],
        [],
        "NodeSelectorTerm has no field 'matchExpression'; did you mean 'matchExpressions'?",
    ),
    ((*POD_TERM, "labelSelector", "matchLabels"), ["app"], {"app": "cache"}, "is a list, expected a mapping"),
    (("podAffinity", REQUIRED), {}, [], "is a mapping, expected a list of PodAffinityTerms"),
]


@pytest.mark.parametrize(("path", "refused", "accepted", "message"), SCHEMA, ids=lambda value: str(value)[:30])
def test_what_the_schema_refuses_is_refused(path: tuple[Any, ...], refused: Any, accepted: Any, message: str) -> None:
    if path[-1] == "matchExpression":  # an unknown field: the accepted side is the right name
        wrong, right = _with(path, refused), _with((*path[:-1], "matchExpressions"), [])
    else:
        wrong, right = _with(path, refused), _with(path, accepted)
    problems = affinity_problems(wrong)
    assert [p.path for p in problems] == [path], problems
    assert message in problems[0].message
    assert affinity_problems(right) == []
    manifest = _deployment(right)
    validate_kubernetes(manifest)  # the accepted case: Kubernetes' schema too
    manifest["spec"]["template"]["spec"]["affinity"] = wrong
    with pytest.raises(jsonschema.ValidationError):  # the refused case: Kubernetes' schema too
        validate_kubernetes(manifest)


# The API server's semantic rules (the schema lets these through): refused, and next to each the
# accepted boundary.
SEMANTIC = [
    (NODE_TERM[:3], [], [{}], "needs at least one node selector term"),
    ((*PREFERENCE, "weight"), 0, 1, "0 is not a weight (1-100)"),
    ((*PREFERENCE, "weight"), 101, 100, "101 is not a weight (1-100)"),
    ((*POD_TERM[:3], "weight"), -1, 1, "-1 is not a weight (1-100)"),
    ((*NODE_EXPRESSION, "operator"), "Equals", "NotIn", "'Equals' is not a selector operator"),
    ((*NODE_EXPRESSION, "values"), [], ["amd64"], "operator In needs at least one value"),
    ((*NODE_EXPRESSION, "key"), "not a key", "kubernetes.io/arch", "'not a key'"),
    ((*PREFERENCE, "preference", "matchExpressions", 0, "values"), ["x"], [], "operator Exists takes no values"),
    ((*PREFERENCE, "preference", "matchExpressions", 1, "values"), ["4", "8"], ["8"], "operator Gt takes exactly one value"),
    ((*PREFERENCE, "preference", "matchExpressions", 1, "values", 0), "four", "-4", "compares with an integer"),
    ((*NODE_FIELD, "key"), "metadata.labels", "metadata.name", "selects by metadata.name only"),
    ((*NODE_FIELD, "operator"), "Exists", "In", "a node field selector's operator is In or NotIn"),
    ((*NODE_FIELD, "values"), ["a", "b"], ["b"], "exactly one value"),
    ((*NODE_FIELD, "values", 0), "Node_1", "node-1.example", "'Node_1'"),
    ((*LABEL_EXPRESSION, "operator"), "Gt", "NotIn", "'Gt' is not a selector operator"),
    ((*LABEL_EXPRESSION, "values", 0), "not/a value", "a-value", "'not/a value'"),
    ((*POD_TERM, "labelSelector", "matchLabels"), {"app": "a b"}, {"app": "a-b"}, "'a b'"),
    ((*POD_TERM, "namespaces", 0), "Shop", "shop", "'Shop' is not a DNS-1123 label"),
    ((*ANTI_TERM, "topologyKey"), "", "zone", "is empty"),
    ((*ANTI_TERM, "topologyKey"), "-zone", "zone", "'-zone'"),
]


@pytest.mark.parametrize(("path", "refused", "accepted", "message"), SEMANTIC, ids=lambda value: str(value)[:30])
def test_what_the_api_server_refuses_is_refused(path: tuple[Any, ...], refused: Any, accepted: Any, message: str) -> None:
    problems = affinity_problems(_with(path, refused))
    assert [p.path for p in problems] == [path], problems
    assert message in problems[0].message
    right = _with(path, accepted)
    assert affinity_problems(right) == []
    validate_kubernetes(_deployment(right))


def test_every_problem_is_reported_at_once() -> None:
    wrong = _with((*PREFERENCE, "weight"), 0)
    wrong["podAntiAffinity"][REQUIRED][0]["topologyKey"] = ""
    wrong["extra"] = {}
    with pytest.raises(PropsError) as raised:
        _deployment(wrong)
    assert len(str(raised.value).splitlines()) == 3
