"""The construct library in a chart of your own, beside cdk8s-plus-27 objects (README: "Use the
constructs in your own chart"). Run it from an empty directory: `python quickstart.py` writes
dist/todo.k8s.yaml. Installed with pip, import `from todo_constructs import ...` instead."""

import cdk8s
import cdk8s_plus_27 as kp

from constructs.api_service import ApiService
from constructs.mcp_service import McpService
from constructs.web_service import WebService

app = cdk8s.App()
chart = cdk8s.Chart(app, "todo", namespace="todo")

mcp = McpService(chart, "mcp", image="todo-backend:1.0.0", command=["python", "-m", "mcp_server.run"])
api = ApiService(chart, "api", image="todo-backend:1.0.0", replicas=2)
web = WebService(chart, "web", image="todo-frontend:1.0.0", node_port=30080)

api.connect(mcp, env="MCP_SERVER_URL")  # env var = mcp's in-cluster URL; mcp accepts api's pods
web.connect(api, env="API_URL")  # server-side calls; browser URLs stay config
api.env_from_secret("todo-secrets", ["DATABASE_URL", "OPENAI_API_KEY"])  # an existing Secret, key by key
api.env_from_config_map("todo-config", ["LOG_LEVEL"])

nightly = kp.CronJob(
    chart,
    "cleanup",
    schedule=cdk8s.Cron.daily(),
    containers=[kp.ContainerProps(image="todo-backend:1.0.0", command=["python", "-m", "app.cleanup"])],
)
api.allow_from(nightly)  # a cdk8s-plus workload may reach the API

cdk8s.ApiObject.of(api.deployment).add_json_patch(cdk8s.JsonPatch.add("/spec/template/spec/priorityClassName", "high"))
app.synth()
