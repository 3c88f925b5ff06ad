"""The default preset's app (values/003-local-k8s-deployment.yaml) written in Python, without a
values file: the Namespace, the ConfigMap, the NetworkPolicies and the three services on Minikube.

    python examples/default_app.py        # from an empty directory: writes dist/*.k8s.yaml

It renders the same objects as `main.py` does for that preset (a test compares them); the Secret
todo-chatbot-secrets is created beforehand with `kubectl create secret generic ...`.
"""

from typing import Any

import cdk8s

from webapp_constructs import (
    ApiService,
    App,
    AppConfig,
    AppNamespace,
    DefaultDeny,
    McpService,
    ResourceAmounts,
    Resources,
    Security,
    WebService,
)

NODE = "192.168.49.2"  # `minikube ip`
RELEASE: dict[str, Any] = {"instance": "todo-chatbot", "part_of": "todo-chatbot", "version": "phase4"}
AUDIT = {
    "CKV_K8S_15": "images are built locally and loaded with `minikube image load`; pulling would fail",
    "CKV_K8S_43": "local images are loaded by tag; they have no registry digest",
    "CKV_K8S_35": "the backend reads its settings from environment variables, Secret keys included",
}
USER = Security(run_as_user=10001)  # a high non-root UID no host user has
SECRET = "todo-chatbot-secrets"  # kubectl create secret generic todo-chatbot-secrets --namespace todo-local ...


def resources(cpu: tuple[str, str], memory: tuple[str, str]) -> Resources:
    return Resources(requests=ResourceAmounts(cpu=cpu[0], memory=memory[0]), limits=ResourceAmounts(cpu=cpu[1], memory=memory[1]))


app = App()  # a cdk8s.App whose synth() raises what the constructs refuse as one Python error
namespace = cdk8s.Chart(app, "00-namespace")
chart = cdk8s.Chart(app, "20-app", namespace="todo-local")

config = AppConfig(
    chart,
    "config",
    name="todo-chatbot-config",
    component="config",
    data={
        "CORS_ORIGINS": f"http://{NODE}:30080",
        "BETTER_AUTH_URL": f"http://{NODE}:30080",
        "MCP_SERVER_URL": "http://todo-mcp:8001",
        "MCP_SERVER_PORT": "8001",
        "NEXT_PUBLIC_API_URL": f"http://{NODE}:30081",
        "NEXT_PUBLIC_APP_URL": f"http://{NODE}:30080",
    },
    **RELEASE,
)
DefaultDeny(
    chart,
    "default-deny",
    name="todo-chatbot-default-deny",
    pod_selector={"app.kubernetes.io/instance": "todo-chatbot"},
    component="network-policy",
    **RELEASE,
)
service: dict[str, Any] = {**RELEASE, "image_pull_policy": "Never", "security": USER, "audit_skips": AUDIT}
frontend = WebService(
    chart,
    "frontend",
    name="todo-frontend",
    image="todo-frontend:phase4",
    app_dir="/app",  # the Next.js standalone server in the image: its .next/ is written at run time
    node_port=30080,
    resources=resources(("100m", "500m"), ("128Mi", "512Mi")),
    **service,
)
backend = ApiService(
    chart,
    "backend",
    name="todo-backend",
    image="todo-backend:phase4",
    command=["uvicorn", "app.main:app"],
    args=["--host", "0.0.0.0", "--port", "8000"],  # uvicorn alone binds 127.0.0.1
    service_type="NodePort",
    node_port=30081,
    resources=resources(("100m", "500m"), ("128Mi", "512Mi")),
    **service,
)
mcp = McpService(
    chart,
    "mcp",
    name="todo-mcp",
    image="todo-backend:phase4",
    command=["python", "-m", "mcp_server.run"],
    **service,
)

frontend.env_from_config_map(config, ["NEXT_PUBLIC_API_URL", "NEXT_PUBLIC_APP_URL"])
backend.env_from_config_map(config, ["CORS_ORIGINS", "BETTER_AUTH_URL", "MCP_SERVER_URL"])
backend.env_from_secret(SECRET, ["DATABASE_URL", "BETTER_AUTH_SECRET", "OPENAI_API_KEY", "CHATKIT_WORKFLOW_ID"])
mcp.env_from_config_map(config, ["MCP_SERVER_PORT"])
mcp.env_from_secret(SECRET, ["DATABASE_URL"])
frontend.connect(backend)  # the Next.js server calls the API
backend.connect(mcp)  # MCP_SERVER_URL, from the ConfigMap

AppNamespace(namespace, "namespace", name="todo-local", component="namespace", **RELEASE)
app.synth()
