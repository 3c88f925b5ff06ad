"""ApiService: the HTTP API backend (FastAPI on 8000)."""

from __future__ import annotations

from .workload import Workload

__all__ = ["ApiService"]


class ApiService(Workload):
    """The API's Deployment and its Service: ClusterIP on 8000 by default, reachable from the
    services that :meth:`~.workload.Workload.connect` to it (and from anywhere when it has a
    NodePort or LoadBalancer Service).

    Defaults: port 8000; a ClusterIP Service; 100m/500m CPU and 128Mi/512Mi memory; a writable
    ``/tmp``. Every other prop as :class:`~.workload.Workload` has it.
    """
