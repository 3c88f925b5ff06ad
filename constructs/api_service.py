"""ApiService: the HTTP API backend (FastAPI on 8000)."""

from __future__ import annotations

from constructs import Construct
from constructs.values import ApiServiceProps
from constructs.workload import Workload, WorkloadContext

__all__ = ["ApiService"]


class ApiService(Workload):
    """The API Deployment and its Service (ClusterIP by default)."""

    props: ApiServiceProps

    def __init__(self, scope: Construct, id: str, *, props: ApiServiceProps, context: WorkloadContext) -> None:
        super().__init__(scope, id, props=props, context=context)
