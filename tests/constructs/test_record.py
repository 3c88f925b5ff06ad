"""Records (Problem, PodSecurity, Relaxation, ServiceFacts) behave as the NamedTuples they were."""

from __future__ import annotations

import copy
import pickle
from typing import Any, NamedTuple

import pytest

from constructs.pod_props import Relaxation
from constructs.pod_security import PodSecurity
from constructs.props import Problem
from constructs.record import Record
from constructs.service_workload import ServiceFacts


class _Problem(NamedTuple):
    path: tuple[str | int, ...]
    message: str


RECORDS: list[Any] = [
    Problem(("env", 1), "is wrong"),
    PodSecurity("baseline", (("restricted", "runs as root"),)),
    PodSecurity("restricted"),
    Relaxation("privileged", "privileged", "runs privileged", True, "CKV_K8S_16"),
    ServiceFacts(8000, "ClusterIP", 80, False),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda record: type(record).__name__)
def test_a_record_is_a_tuple_with_named_fields(record: Any) -> None:
    cls = type(record)
    values = tuple(record)
    assert isinstance(record, tuple)
    assert isinstance(record, Record)
    assert record == values
    assert hash(record) == hash(values)
    assert [getattr(record, name) for name in cls._fields] == list(values)
    assert record._asdict() == dict(zip(cls._fields, values, strict=True))
    assert cls(*values) == record
    assert cls(**record._asdict()) == record
    assert copy.copy(record) == record
    assert copy.deepcopy(record) == record
    assert type(pickle.loads(pickle.dumps(record))) is cls
    assert repr(record) == f"{cls.__name__}(" + ", ".join(f"{n}={v!r}" for n, v in zip(cls._fields, values, strict=True)) + ")"
    changed = record._replace(**{cls._fields[0]: "other"})
    assert type(changed) is cls
    assert changed[0] == "other"
    assert changed[1:] == values[1:]
    with pytest.raises(ValueError, match="has no field"):
        record._replace(nonsense=1)
    with pytest.raises(AttributeError):
        object.__setattr__(record, "extra", 1)  # no __dict__: fixed fields, as a NamedTuple's


def test_a_problem_reads_as_the_named_tuple_it_was() -> None:
    problem = Problem(("a",), "m")
    path, message = problem
    assert (path, message) == (("a",), "m")
    assert repr(problem) == repr(_Problem(("a",), "m")).replace("_Problem", "Problem")
    assert problem == tuple(_Problem(("a",), "m"))
    assert problem.under("x", 0) == Problem(("x", 0, "a"), "m")
    assert PodSecurity("privileged").violations == ()
