"""``${...}`` references: config values, commands and args that follow from the services.

A values file writes ``MCP_SERVER_URL: ${services.mcp.url}`` instead of ``http://todo-mcp:8001``,
so changing the MCP server's name or port changes the URL with it. ``$$`` is a literal ``$``.

Available references (``X`` is a service key):

=============================  =================================================================
``${release}``                 the release name
``${namespace}``               the namespace
``${appVersion}``              the app version
``${nodeHost}``                the address browsers use to reach node ports
``${services.X.name}``         the service's object name, which is also its in-cluster host name
``${services.X.port}``         the Service port
``${services.X.containerPort}``  the port the container listens on
``${services.X.url}``          ``http://<name>:<port>``, the in-cluster URL
``${services.X.nodePort}``     the fixed node port (only if the service sets one)
``${services.X.nodeUrl}``      ``http://<nodeHost>:<nodePort>``, the URL a browser uses
=============================  =================================================================
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from webapp_constructs import PropsError, replaced

from .model import AppValues

__all__ = ["BadReferenceError", "expand", "expand_values", "reference_table"]


class BadReferenceError(ValueError):
    """A ``${...}`` that names nothing, or a stray ``$``."""


class _Template(string.Template):
    # Only the braced form is a reference; a bare "$name" is an error, so "$$" is the one escape.
    braceidpattern = r"[A-Za-z][A-Za-z0-9_.-]*"
    idpattern = r"(?!)"


def reference_table(values: AppValues) -> dict[str, str]:
    """Every reference a values file may use, with its value (a service's ports and URL as its
    construct says them; a service whose props are wrong has only its name, its problem is
    reported where it is)."""
    from webapp_constructs import PropsError

    from .kinds import facts

    table = {
        "release": values.release,
        "namespace": values.namespace.name,
        "appVersion": values.app_version,
        "nodeHost": values.node_host,
    }
    for key, service in values.services.items():
        name = values.object_name(key)
        prefix = f"services.{key}"
        table[f"{prefix}.name"] = name
        try:
            found = facts(values, key)
        except PropsError:
            continue
        if found is None:  # a worker, a cronjob, a migration: nothing to connect to
            continue
        table[f"{prefix}.port"] = str(found.service_port)
        table[f"{prefix}.containerPort"] = str(found.port)
        table[f"{prefix}.url"] = f"http://{name}:{found.service_port}"
        node_port = service.node_port
        if node_port is not None:
            table[f"{prefix}.nodePort"] = str(node_port)
            table[f"{prefix}.nodeUrl"] = f"http://{values.node_host}:{node_port}"
    return table


def expand(text: str, table: Mapping[str, str]) -> str:
    """Replace every ``${name}`` in ``text`` with its value from ``table``.

    Raises :class:`BadReferenceError` naming the unknown reference (with a suggestion) or the stray ``$``.
    """
    template = _Template(text)
    for match in template.pattern.finditer(text):
        braced = match.group("braced")
        if match.group("invalid") is not None:
            raise BadReferenceError(f"'$' at column {match.start() + 1} starts no ${{...}} reference; write $$ for a literal $")
        if braced is not None and braced not in table:
            raise BadReferenceError(_unknown(braced, table))
    return template.substitute(table)


def _unknown(name: str, table: Mapping[str, str]) -> str:
    message = f"${{{name}}} is not a known reference"
    if name.endswith((".nodePort", ".nodeUrl")) and name.replace(".nodeUrl", ".url").replace(".nodePort", ".url") in table:
        return message + " (that service has no fixed service.nodePort)"
    import difflib  # only for a mistake

    close = difflib.get_close_matches(name, table, n=1)
    if close:
        return message + f"; did you mean ${{{close[0]}}}?"
    return message + " (see values_app/references.py for the list)"


def expand_values(values: AppValues) -> AppValues:
    """A copy of ``values`` with every reference in config values, commands and args expanded.

    Call :func:`values_app.checks.check_values` first: it reports every bad reference at once.
    """
    table = reference_table(values)

    def each(texts: list[str] | None) -> list[str] | None:
        return None if texts is None else [expand(text, table) for text in texts]

    expanded = _replace(values, table, each)
    from .kinds import keep_computed

    keep_computed(values, expanded)  # a service with nothing to expand is the same object: its props hold
    return expanded


def _replace(values: AppValues, table: dict[str, str], each: Any) -> AppValues:
    """``values`` with its references expanded; what changed is checked by its rules (an expanded
    ConfigMap may outgrow 1 MiB): raise :class:`~webapp_constructs.PropsError` with every problem,
    at its field path in the values model."""
    services = {}
    problems = []
    for key, service in values.services.items():
        command, args = each(service.command), each(service.args)
        unchanged = command == service.command and args == service.args
        try:
            services[key] = service if unchanged else replaced(service, command=command, args=args)
        except PropsError as error:
            problems += [problem.under("services", key) for problem in error.problems]
    config_maps = {name: {key: expand(text, table) for key, text in data.items()} for name, data in values.config_maps.items()}
    try:
        expanded = replaced(values, config_maps=config_maps, services=services)
    except PropsError as error:
        problems += error.problems
    if problems:
        raise PropsError("values", problems)
    return expanded
