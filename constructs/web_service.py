"""WebService: a browser-facing frontend (Next.js on 3000, or static files from nginx on 80)."""

from __future__ import annotations

from constructs import Construct
from constructs.values import WebServiceProps
from constructs.workload import Workload, WorkloadContext

__all__ = ["WebService"]


class WebService(Workload):
    """A frontend Deployment and its Service (NodePort by default, so a browser reaches it)."""

    props: WebServiceProps

    def __init__(self, scope: Construct, id: str, *, props: WebServiceProps, context: WorkloadContext) -> None:
        super().__init__(scope, id, props=props, context=context)
