"""ApiService: an HTTP API backend (FastAPI on 8000, by default)."""

from __future__ import annotations

from ._service_workload import ServiceWorkload

__all__ = ["ApiService"]


class ApiService(ServiceWorkload):
    """An API's Deployment and its Service: ClusterIP on 8000 by default, reachable from the
    workloads that :meth:`~._workload.Workload.connect` to it (and from anywhere when it has a
    NodePort or LoadBalancer Service).

    Defaults: port 8000; a ClusterIP Service; 100m/500m CPU and 128Mi/512Mi memory; a writable
    ``/tmp``. Every other prop as :class:`~._workload_props.ServiceProps` has it.
    """
