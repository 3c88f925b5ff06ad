"""The README's program (README: "Use the constructs in your own chart"), in this repository:
run it from an empty directory, `python quickstart.py` writes dist/bookshop.k8s.yaml."""

import cdk8s
import cdk8s_plus_27 as kp

from webapp_constructs import (
    ApiService,
    AppNamespace,
    McpService,
    MigrationJob,
    ScheduledJob,
    Volume,
    WebService,
    WorkerService,
    harden,
)

app = cdk8s.App()
chart = cdk8s.Chart(app, "bookshop", namespace="shop")
AppNamespace(chart, "ns")  # the Namespace "shop": enforces what every pod in the chart meets
settings = kp.ConfigMap(chart, "settings", data={"LOG_LEVEL": "info"})
creds = kp.Secret(chart, "creds", string_data={"DATABASE_URL": "postgresql://shop@db/shop"})
redis = kp.Deployment(chart, "redis", containers=[kp.ContainerProps(image="redis:7.2", port_number=6379)])
cache = redis.expose_via_service()
harden(redis, writable_paths=["/data"])  # restricted, as UID 10001; redis saves its snapshots in /data

api = ApiService(
    chart,
    "api",
    image="shop/api:1.4.0",
    replicas=3,
    volumes=[Volume.config_map(settings, "/etc/shop")],
    node_selector={"pool": "general"},
    image_pull_secrets=["regcred"],
    pod_annotations={"prometheus.io/scrape": "true"},
)
api.env_from_config_map(settings, ["LOG_LEVEL"])
api.env_from_secret(creds, ["DATABASE_URL"])
api.connect(cache, env="REDIS_URL", scheme="redis")  # a kp Service: redis://... in env, both policies
tools = McpService(chart, "tools", image="shop/api:1.4.0", command=["python", "-m", "tools"])
api.connect(tools, env="TOOLS_URL")
web = WebService(chart, "web", image="shop/web:1.4.0")
web.connect(api, env="API_URL")
mailer = WorkerService(chart, "mailer", image="shop/api:1.4.0", command=["python", "-m", "mailer"])
mailer.connect(api, env="API_URL")
mailer.env_from_secret(creds, ["DATABASE_URL"])
report = ScheduledJob(chart, "report", image="shop/api:1.4.0", schedule="0 3 * * *", command=["python", "-m", "report"])
report.connect(api, env="API_URL")
MigrationJob(chart, "migrate", image="shop/api:1.4.0", command=["alembic", "upgrade", "head"], before=[api, mailer])
app.synth()
