"""docker-compose.yml is checked statically (no Docker engine runs here)."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from devstack.settings import RETENTION, SERVER_LIMITS_FILE, server_limit_flags
from engagement_client.connection import connect_options, payload_codec
from engagement_client.settings import ENV_PREFIX
from fasttrack.engagement.budget import STATE_BUDGET
from fasttrack.models import EDGE, Purchase, Scope, SourceEnvironment
from fasttrack.policy import BenefitPolicy
from fasttrack.rules import assess_environment, scope_problems
from workers.config import WorkerSettings
from workflows import search_attributes as sa
from workflows.action_signals import SIGNALLED_ACTIONS

REPOSITORY = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((REPOSITORY / "docker-compose.yml").read_text())


ONE_SHOT_JOBS = {"temporal-schema", "temporal-namespace", "worker-version"}


def test_compose_runs_the_server_its_setup_jobs_the_ui_the_product_and_monitoring():
    services = COMPOSE["services"]
    assert set(services) == {"postgresql", "temporal-schema", "temporal", "temporal-namespace", "temporal-ui", "worker",
                             "worker-version", "intake", "customer-page", "board", "codec-server", "prometheus",
                             "grafana"}
    assert services["temporal"]["image"].startswith("temporalio/server:")
    assert all(services[job]["image"].startswith("temporalio/admin-tools:") for job in ONE_SHOT_JOBS)
    assert not any("auto-setup" in str(service.get("image")) for service in services.values())
    assert set(product_services()) == {"worker", "intake", "customer-page", "board", "codec-server"}
    assert services["temporal-ui"]["environment"]["TEMPORAL_ADDRESS"] == "temporal:7233"


PRODUCT_IMAGE = "fasttrack-orchestrator:${FASTTRACK_BUILD_ID:?"


def product_services() -> dict[str, dict]:
    """The services that run this repository's image."""
    return {name: service for name, service in COMPOSE["services"].items()
            if str(service.get("image", "")).startswith(PRODUCT_IMAGE)}


def test_compose_builds_the_product_image_once_and_the_other_services_use_it():
    """Compose builds through Bake, every build at once: two builds exporting one tag fail with
    the containerd image store. One service builds; the others run its image and never pull it."""
    builds = {name for name, service in COMPOSE["services"].items() if "build" in service}
    assert builds == {"worker"}
    assert COMPOSE["services"]["worker"]["build"] == "."
    images = {service["image"] for service in product_services().values()}
    assert images == {COMPOSE["services"]["worker"]["image"]}
    for name, service in product_services().items():
        assert service["pull_policy"] == "never", name  # it exists only where it was built


def test_compose_starts_services_in_order_and_checks_every_long_running_one():
    services = COMPOSE["services"]
    image_checks_itself = "HEALTHCHECK" in (REPOSITORY / "Dockerfile").read_text()
    for name, service in services.items():
        if name in ONE_SHOT_JOBS:
            assert service["restart"].startswith("on-failure:"), name  # done stays done; a failure is retried
            continue
        assert "healthcheck" in service or (name in product_services() and image_checks_itself), name
        for needed, condition in service.get("depends_on", {}).items():
            expected = "service_completed_successfully" if needed in ONE_SHOT_JOBS else "service_healthy"
            if (name, needed) == ("prometheus", "worker"):
                expected = "service_started"  # monitoring must run when the worker is not ready
            assert condition["condition"] == expected, (name, needed)
    order = {"temporal-schema": "postgresql", "temporal": "temporal-schema", "temporal-namespace": "temporal",
             "worker": "temporal-namespace", "worker-version": "worker", "intake": "temporal-namespace",
             "customer-page": "temporal-namespace",
             "prometheus": "worker", "grafana": "prometheus"}
    for service, needs in order.items():
        assert needs in services[service]["depends_on"], (service, needs)


IMAGES = COMPOSE["x-images"]
TEMPORAL_VERSION = re.compile(r"\$\{TEMPORAL_VERSION:-(\d+)\.(\d+)\.(\d+)\}")


def test_every_image_is_pinned_once_at_the_top_of_the_compose_file():
    """Every image a service runs comes from `x-images` (its one place), each pinned to a version
    that does not move (PostgreSQL to its major version: a new one needs its data migrated)."""
    used = {service["image"] for service in COMPOSE["services"].values()} - {COMPOSE["services"]["worker"]["image"]}
    assert used == set(IMAGES.values())
    for name, image in IMAGES.items():
        tag = image.split(":", 1)[1]  # no registry port in these names
        assert tag != "latest", name
        if name == "postgres":
            assert re.fullmatch(r"\d+", tag), image
        elif name.startswith("temporal-") and name != "temporal-ui":
            assert TEMPORAL_VERSION.fullmatch(tag), image
        else:
            assert re.fullmatch(r"v?\d+\.\d+\.\d+", tag), image
    assert IMAGES["prometheus"].startswith("prom/prometheus:v3.")
    assert IMAGES["grafana"].startswith("grafana/grafana:12.")


def test_compose_runs_one_temporal_release_the_embedded_server_s_minor_version():
    """The server and its admin-tools are one release, of the minor version the tests run (the
    embedded dev server's), at that patch or a later one; the UI is the dev server's. Both
    images take TEMPORAL_VERSION, so an upgrade steps through minor versions with one variable."""
    version = subprocess.run([_tool("temporal"), "--version"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"Server (\d+)\.(\d+)\.(\d+)\S*, UI (\S+)\)", version)
    assert found, version
    embedded, ui = tuple(map(int, found.groups()[:3])), found[4]
    server_tag = IMAGES["temporal-server"].removeprefix("temporalio/server:")
    assert IMAGES["temporal-admin-tools"] == f"temporalio/admin-tools:{server_tag}"
    pinned_tag = TEMPORAL_VERSION.fullmatch(server_tag)
    assert pinned_tag, server_tag
    pinned = tuple(map(int, pinned_tag.groups()))
    assert pinned[:2] == embedded[:2] and pinned >= embedded, (pinned, embedded)
    services = COMPOSE["services"]
    assert services["temporal"]["image"] == IMAGES["temporal-server"]
    assert {services[job]["image"] for job in ONE_SHOT_JOBS} == {IMAGES["temporal-admin-tools"]}
    assert services["temporal-ui"]["image"] == f"temporalio/ui:{ui}"
    defaults = set(re.findall(r"\$\{TEMPORAL_VERSION:-([^}]*)\}", (REPOSITORY / "docker-compose.yml").read_text()))
    assert defaults == {".".join(map(str, pinned))}  # one default, wherever it is written


def test_prometheus_scrapes_the_worker_and_the_server_where_compose_serves_their_metrics():
    config = yaml.safe_load((REPOSITORY / "deploy" / "prometheus" / "prometheus.yml").read_text())
    targets = {job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]}
    worker = COMPOSE["services"]["worker"]["environment"]
    assert targets["fasttrack-worker"] == [f"worker:{worker['FASTTRACK_METRICS_PORT']}"]
    assert worker["FASTTRACK_METRICS_HOST"] == "0.0.0.0"
    server_port = COMPOSE["services"]["temporal"]["environment"]["PROMETHEUS_ENDPOINT"].rsplit(":", 1)[1]
    assert targets["temporal-server"] == [f"temporal:{server_port}"]
    services = COMPOSE["services"]
    assert targets["fasttrack-services"] == [
        f"intake:{services['intake']['environment']['FASTTRACK_INTAKE_PORT']}",
        f"customer-page:{services['customer-page']['environment']['FASTTRACK_PAGE_PORT']}",
        f"codec-server:{services['codec-server']['environment']['FASTTRACK_CODEC_PORT']}",
        f"board:{services['board']['environment']['FASTTRACK_BOARD_PORT']}"]
    mounted = dict(volume.split(":")[:2] for volume in COMPOSE["services"]["prometheus"]["volumes"]
                   if volume.startswith("./"))
    assert mounted["./deploy/prometheus/prometheus.yml"] == "/etc/prometheus/prometheus.yml"


def test_grafana_is_provisioned_with_the_prometheus_source_and_the_fasttrack_dashboard():
    grafana = REPOSITORY / "deploy" / "grafana"
    source = yaml.safe_load((grafana / "provisioning" / "datasources" / "prometheus.yml").read_text())["datasources"][0]
    assert source["url"] == "http://prometheus:9090"
    provider = yaml.safe_load((grafana / "provisioning" / "dashboards" / "fasttrack.yml").read_text())["providers"][0]
    mounts = dict(volume.split(":")[:2] for volume in COMPOSE["services"]["grafana"]["volumes"]
                  if volume.startswith("./"))
    assert mounts["./deploy/grafana/dashboards"] == provider["options"]["path"]
    dashboard = json.loads((grafana / "dashboards" / "fasttrack.json").read_text())
    uids = {target["datasource"]["uid"] for panel in dashboard["panels"] for target in panel["targets"]}
    assert uids == {source["uid"]}


def test_worker_environment_is_valid_configuration(monkeypatch, tmp_path):
    environment = COMPOSE["services"]["worker"]["environment"]
    known = {f"{ENV_PREFIX}{name.upper()}" for name in WorkerSettings.model_fields} | {"TEMPORAL_ADDRESS",
                                                                                      "TEMPORAL_NAMESPACE"}
    assert WorkerSettings.model_fields["metrics_port"] and "FASTTRACK_BUILD_ID" in environment
    assert set(environment) <= known, set(environment) - known
    for name, value in environment.items():
        monkeypatch.setenv(name, interpolated(str(value), SECRETS))
    monkeypatch.setenv("TEMPORAL_CONFIG_FILE", os.devnull)
    settings = WorkerSettings.from_environment()
    assert connect_options(settings)["target_host"] == "temporal:7233"
    assert payload_codec(settings).current == "2026-11"
    assert settings.register_url.startswith("postgresql+psycopg://fasttrack:")
    assert (settings.deployment_name, settings.build_id, settings.metrics_port) == ("fasttrack", "2026.11.27-1", 9464)
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_security) == ("smtp.example.com", 587, "starttls")
    assert (settings.smtp_username, settings.sender_email, settings.manager_email) == (
        "fasttrack", "fasttrack@example.com", "fasttrack-manager@example.com")


SECRETS = {
    "FASTTRACK_DB_PASSWORD": "register-password", "FASTTRACK_SMTP_PASSWORD": "smtp-password",
    "FASTTRACK_ENCRYPTION_KEYS": f"2026-11:{base64.b64encode(bytes(32)).decode()}",
    "FASTTRACK_BUILD_ID": "2026.11.27-1", "FASTTRACK_CUSTOMER_PAGE_URL": "https://onboarding.example.com",
    "FASTTRACK_LINK_KEYS": f"2026-11:{base64.b64encode(bytes(range(32))).decode()}",
    "FASTTRACK_SMTP_HOST": "smtp.example.com", "FASTTRACK_SMTP_USERNAME": "fasttrack",
    "FASTTRACK_SENDER_EMAIL": "fasttrack@example.com", "FASTTRACK_MANAGER_EMAIL": "fasttrack-manager@example.com",
}


# The settings with a default: none is a secret.
DEFAULTED = {"TEMPORAL_VERSION", "FASTTRACK_CODEC_URL", "FASTTRACK_CODEC_ORIGINS", "FASTTRACK_SMTP_PORT",
             "FASTTRACK_SMTP_SECURITY"}
# Where mail goes and whom the customer is told to write to: this deployment's own, from .env.
MAIL_SETTINGS = {"FASTTRACK_SMTP_HOST", "FASTTRACK_SMTP_USERNAME", "FASTTRACK_SENDER_EMAIL",
                 "FASTTRACK_MANAGER_EMAIL"}


def test_compose_reads_the_mail_settings_from_the_env_file_each_written_once():
    """The relay, its user and the addresses are this deployment's: none is written into the file, and
    each variable is written once (the manager's address, which two services read, through an anchor)."""
    text = (REPOSITORY / "docker-compose.yml").read_text()
    assert "example.com" not in text
    for name in MAIL_SETTINGS | {"FASTTRACK_SMTP_PORT", "FASTTRACK_SMTP_SECURITY"}:
        assert len(re.findall(r"\$\{" + name + r"\b", text)) == 1, name
    for name in MAIL_SETTINGS - {"FASTTRACK_MANAGER_EMAIL"}:
        assert COMPOSE["services"]["worker"]["environment"][name].startswith(f"${{{name}:?"), name
    manager = {service: COMPOSE["services"][service]["environment"]["FASTTRACK_MANAGER_EMAIL"]
               for service in ("worker", "customer-page")}
    assert set(manager.values()) == {"${FASTTRACK_MANAGER_EMAIL:?set the FastTrack manager's e-mail address}"}


def test_compose_requires_every_secret_and_publishes_ports_on_loopback_only():
    text = (REPOSITORY / "docker-compose.yml").read_text()
    assert "change-me" not in text  # no placeholder
    assert set(re.findall(r"\$\{(\w+):-", text)) == DEFAULTED
    assert set(re.findall(r"\$\{(\w+)", text)) == DEFAULTED | set(re.findall(r"\$\{(\w+):\?", text))
    for service in COMPOSE["services"].values():
        for name, value in (service.get("environment") or {}).items():
            if any(word in name for word in ("PASSWORD", "PWD", "SECRET", "TOKEN", "KEYS")):
                assert re.fullmatch(r"\$\{\w+:\?[^}]+\}", str(value)), name
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), port
    assert "${FASTTRACK_DB_PASSWORD:?" in COMPOSE["services"]["worker"]["environment"]["FASTTRACK_DATABASE_URL"]


def interpolated(value: str, environment: dict[str, str]) -> str:
    """A value as compose interpolates it: ${VAR:-default} and ${VAR:?message}."""
    def one(match: re.Match) -> str:
        name, operator, rest = match[1], match[2], match[3]
        if environment.get(name):
            return environment[name]
        assert operator == ":-", f"compose refuses to start without {name}"
        return rest
    return re.sub(r"\$\{(\w+)(:-|:\?)([^}]*)\}", one, value)


def test_compose_runs_the_codec_server_and_points_the_ui_at_it():
    codec = COMPOSE["services"]["codec-server"]
    assert codec["image"] == COMPOSE["services"]["worker"]["image"]
    assert codec["command"] == ["fasttrack", "codec-server"]
    assert codec["environment"]["FASTTRACK_ENCRYPTION_KEYS"] == COMPOSE["services"]["worker"]["environment"][
        "FASTTRACK_ENCRYPTION_KEYS"]
    published = codec["ports"][0].split(":")[1]
    endpoint = COMPOSE["services"]["temporal-ui"]["environment"]["TEMPORAL_CODEC_ENDPOINT"]
    token = {"FASTTRACK_CODEC_TOKEN": "t" * 64}
    assert interpolated(endpoint, token) == f"http://127.0.0.1:{published}/{'t' * 64}"  # by default
    ui_port = COMPOSE["services"]["temporal-ui"]["ports"][0].split(":")[1]
    assert f"http://127.0.0.1:{ui_port}" in interpolated(codec["environment"]["FASTTRACK_CODEC_ORIGINS"], {}).split(",")


def test_behind_a_proxy_the_codec_s_address_and_origins_come_from_the_env_file(monkeypatch):
    """The browser reaches the UI and the codec server at the proxy's addresses: both from .env."""
    from codec_server.settings import CodecServerSettings

    env = {"FASTTRACK_CODEC_TOKEN": "t" * 64, "FASTTRACK_CODEC_URL": "https://codec.onboarding.example.com",
           "FASTTRACK_CODEC_ORIGINS": "https://temporal.onboarding.example.com",
           "FASTTRACK_ENCRYPTION_KEYS": SECRETS["FASTTRACK_ENCRYPTION_KEYS"]}
    endpoint = COMPOSE["services"]["temporal-ui"]["environment"]["TEMPORAL_CODEC_ENDPOINT"]
    assert interpolated(endpoint, env) == f"https://codec.onboarding.example.com/{'t' * 64}"
    for name in [name for name in os.environ if name.startswith(("FASTTRACK_", "TEMPORAL_"))]:
        monkeypatch.delenv(name)
    for name, value in COMPOSE["services"]["codec-server"]["environment"].items():
        monkeypatch.setenv(name, interpolated(str(value), env))
    settings = CodecServerSettings.from_environment()
    assert settings.origins == ["https://temporal.onboarding.example.com"]


def test_compose_gives_the_register_its_own_database_and_chooses_the_retention():
    services = COMPOSE["services"]
    mounts = dict(volume.split(":")[1::-1] for volume in services["postgresql"]["volumes"] if volume.startswith("./"))
    script = (REPOSITORY / mounts["/docker-entrypoint-initdb.d/register.sh"]).read_text()
    assert "CREATE DATABASE fasttrack_register OWNER fasttrack" in script  # run for real in test_compose_database_script
    assert services["worker"]["environment"]["FASTTRACK_DATABASE_URL"].endswith("@postgresql/fasttrack_register")
    assert services["worker"]["depends_on"]["postgresql"]["condition"] == "service_healthy"
    assert services["temporal-namespace"]["environment"]["RETENTION"] == RETENTION  # as the dev stack's


def test_compose_registers_exactly_the_workflow_search_attributes():
    listed = COMPOSE["services"]["temporal-namespace"]["environment"]["SEARCH_ATTRIBUTES"]
    declared = dict(re.findall(r"(FastTrack\w+)=(\w+)", listed))
    expected = dict(flag.split("=") for flag in sa.dev_server_flags() if "=" in flag)
    assert declared == expected


def test_every_product_process_runs_as_a_fasttrack_subcommand():
    image_command = json.loads((REPOSITORY / "Dockerfile").read_text().split("\nCMD ", 1)[1].splitlines()[0])
    commands = {"image": image_command} | {name: service["command"] for name, service in product_services().items()}
    assert commands == {"image": ["fasttrack", "worker"], "worker": ["fasttrack", "worker"],
                        "intake": ["fasttrack", "intake"], "customer-page": ["fasttrack", "customer-page"],
                        "board": ["fasttrack", "board"],
                        "codec-server": ["fasttrack", "codec-server"]}


def test_worker_image_contains_every_package():
    dockerfile = (REPOSITORY / "Dockerfile").read_text()
    for package in ("fasttrack", "workflows", "activities", "workers", "engagement_client", "process_support"):
        assert f"COPY {package} {package}" in dockerfile


def test_the_readme_examples_are_valid_events():
    examples = REPOSITORY / "examples"
    Purchase.model_validate_json((examples / "purchase.json").read_text())
    scope = Scope.model_validate(yaml.safe_load((examples / "scope.yaml").read_text()))
    assert scope_problems(scope, BenefitPolicy()) == []
    environment = SourceEnvironment.model_validate(yaml.safe_load((examples / "environment.yaml").read_text()))
    items, _ = assess_environment(environment, scope, BenefitPolicy())
    assert {item.category.value for item in items} == {"identity", "browser", "dns", "network"}


def test_compose_and_the_dev_server_refuse_oversized_requests_with_the_same_limits():
    temporal = COMPOSE["services"]["temporal"]
    mounted = {volume.split(":")[1]: volume.split(":")[0] for volume in temporal["volumes"]}
    source = mounted[temporal["environment"]["DYNAMIC_CONFIG_FILE_PATH"]]
    assert (REPOSITORY / source).resolve() == SERVER_LIMITS_FILE
    limits = yaml.safe_load(SERVER_LIMITS_FILE.read_text())
    assert limits["limit.blobSize.error"][0]["value"] <= 1024 * 1024  # far below the 2 MB the SDK allows
    assert limits["limit.blobSize.error"][0]["value"] >= 2 * STATE_BUDGET  # room for an engagement's own payloads
    # An update the server admits reaches the worker, whose refusal echoes it with a sentence of
    # its own: refusal and echo stay under the request limit, or the server terminates the engagement
    # (tests/integration/test_oversized_update.py). Larger updates are refused on arrival.
    in_flight = limits["history.maxInFlightUpdatePayloads"][0]["value"]
    assert 0 < in_flight <= limits["limit.blobSize.error"][0]["value"] - 64 * 1024
    flags = server_limit_flags()
    assert f"limit.blobSize.error={limits['limit.blobSize.error'][0]['value']}" in flags
    assert f"history.maxInFlightUpdatePayloads={in_flight}" in flags


def test_the_signal_examples_name_actions_and_pass_their_checks():
    """An example per action is asked for (docs/adding-an-action.md), not required:
    the action catalogue is the one list of actions."""
    examples = json.loads((REPOSITORY / "examples" / "signals.json").read_text())
    assert set(examples) <= set(SIGNALLED_ACTIONS)
    assert len(examples) >= 13, "the examples were lost"
    for name, payload in examples.items():
        body = {key: value for key, value in payload.items() if key != "request_id"}
        SIGNALLED_ACTIONS[name].model_validate(body, context=EDGE)  # the strict rules of the edge
        assert payload["request_id"]


def documentation_pages() -> list[Path]:
    """The README and the pages of the docs."""
    return [page for page in [REPOSITORY / "README.md", *sorted((REPOSITORY / "docs").rglob("*.md"))] if page.is_file()]


def test_the_documentation_gives_each_action_s_json_as_the_examples_do():
    examples = json.loads((REPOSITORY / "examples" / "signals.json").read_text())
    marker = "<!-- actions-json -->\n```text\n"
    pages = [page.read_text() for page in documentation_pages() if marker in page.read_text()]
    assert len(pages) == 1, "the list of actions' JSON is on no page, or on several"
    block = pages[0].split(marker, 1)[1].split("\n```", 1)[0]
    shown = {name: json.loads(body) for name, body in (line.split(maxsplit=1) for line in block.splitlines())}
    bodies = {name: {key: value for key, value in payload.items() if key != "request_id"}
              for name, payload in examples.items()}
    assert shown == {name: body for name, body in bodies.items() if name in shown}
    assert len(shown) >= 13, "the list was lost"


def test_compose_runs_the_intake_from_the_image_with_required_secrets():
    intake = COMPOSE["services"]["intake"]
    assert intake["image"] == COMPOSE["services"]["worker"]["image"] and intake["command"] == ["fasttrack", "intake"]
    for variable in ("FASTTRACK_COMMERCE_SECRET", "FASTTRACK_PORTAL_SECRET", "FASTTRACK_INTAKE_TOKENS"):
        assert ":?" in intake["environment"][variable]  # compose refuses to start without it
    image = (REPOSITORY / "Dockerfile").read_text()
    for package in ("fasttrack", "workflows", "activities", "workers", "engagement_client", "process_support",
                    "register", "intake", "codec_server", "customer_page", "cli"):
        assert f"COPY {package} {package}" in image


def _tool(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def test_compose_file_is_valid_against_the_compose_specification():
    done = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec",
                           str(REPOSITORY / "docker-compose.yml")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_dockerfile_passes_hadolint():
    done = subprocess.run([_tool("hadolint"), str(REPOSITORY / "Dockerfile")], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_lock_file_pins_every_dependency_of_the_product_and_nothing_dev_only():
    locked = dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==(\S+) \\", (REPOSITORY / "requirements.lock").read_text(), re.M))
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]
    for dependency in map(Requirement, project["dependencies"]):
        name = canonicalize_name(dependency.name)
        assert name in locked, f"{name} is not in requirements.lock: run the pip-compile command at its top"
        assert dependency.specifier.contains(locked[name]), f"{name}=={locked[name]} does not satisfy {dependency}"
        assert "--hash=sha256:" in (REPOSITORY / "requirements.lock").read_text().split(f"\n{name}==", 1)[1][:200]
    for extra in ("dev", "test"):
        for dependency in map(Requirement, project["optional-dependencies"][extra]):
            if canonicalize_name(dependency.name) not in {canonicalize_name(d.name) for d in map(Requirement,
                                                                                             project["dependencies"])}:
                assert canonicalize_name(dependency.name) not in locked, dependency.name


def env_recipe() -> str:
    """The production section's `.env` recipe: the shell block that writes .env under umask 077,
    in the README or on a page of the docs."""
    for page in documentation_pages():
        for indent, block in re.findall(r"^( *)```sh\n(.*?)^\1```", page.read_text(), re.M | re.S):
            if "umask 077" in block and "cat > .env" in block:
                return "\n".join(line.removeprefix(indent) for line in block.splitlines())
    raise AssertionError("the .env recipe is on no page")


def test_the_env_recipe_gives_every_service_a_valid_configuration(monkeypatch, tmp_path):
    """The production section's `.env` recipe, run as written, then each product service's
    environment as compose would give it (interpolated from that file)."""
    recipe = env_recipe()
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "x"],
                   cwd=tmp_path, check=True)
    # The operator's shell keeps its umask: under 077, a later `git checkout` would write the
    # mounted deploy/ files unreadable by the containers' users.
    # Without the relay's password in SMTP_PASSWORD, the recipe stops before writing anything.
    refused = subprocess.run(["sh", "-c", recipe], cwd=tmp_path, capture_output=True, text=True,
                             env={name: value for name, value in os.environ.items() if name != "SMTP_PASSWORD"})
    assert refused.returncode != 0 and "SMTP_PASSWORD" in refused.stderr
    assert not (tmp_path / ".env").exists()
    done = subprocess.run(["sh", "-c", f"umask 022\n{recipe}\numask"], cwd=tmp_path, check=True,
                          capture_output=True, text=True, env=os.environ | {"SMTP_PASSWORD": "relay-password"})
    assert done.stdout.split()[-1] == "0022", "the recipe's umask leaks into the operator's shell"
    values = dict(line.split("=", 1) for line in (tmp_path / ".env").read_text().splitlines()
                  if line.strip() and not line.startswith("#"))
    assert (tmp_path / ".env").stat().st_mode & 0o777 == 0o600
    required = set(re.findall(r"\$\{(\w+):\?", (REPOSITORY / "docker-compose.yml").read_text()))
    assert required <= set(values), required - set(values)
    assert set(values) <= required | DEFAULTED, set(values) - required - DEFAULTED

    from board.settings import BoardSettings
    from codec_server.settings import CodecServerSettings
    from customer_page.settings import CustomerPageSettings
    from engagement_client.customer_links import link_keys
    from intake.settings import IntakeSettings

    assert MAIL_SETTINGS <= set(values)
    assert values["FASTTRACK_SMTP_PASSWORD"] == "relay-password"  # from the shell, never written into the recipe

    for service, settings_class in (("worker", WorkerSettings), ("intake", IntakeSettings),
                                    ("customer-page", CustomerPageSettings), ("board", BoardSettings),
                                    ("codec-server", CodecServerSettings)):
        with monkeypatch.context() as patch:
            for name in [name for name in os.environ if name.startswith(("FASTTRACK_", "TEMPORAL_"))]:
                patch.delenv(name)
            for name, value in COMPOSE["services"][service]["environment"].items():
                patch.setenv(name, interpolated(str(value), values))
            patch.setenv("TEMPORAL_CONFIG_FILE", os.devnull)
            settings = settings_class.from_environment()
            assert payload_codec(settings).current == values["FASTTRACK_ENCRYPTION_KEYS"].split(":")[0], service
            if isinstance(settings, (WorkerSettings, CustomerPageSettings)):
                assert settings.page_url == values["FASTTRACK_CUSTOMER_PAGE_URL"], service
                assert settings.manager_email == values["FASTTRACK_MANAGER_EMAIL"], service
                link_keys(settings)
            if isinstance(settings, WorkerSettings):
                assert (settings.smtp_host, settings.smtp_username, settings.sender_email) == (
                    values["FASTTRACK_SMTP_HOST"], values["FASTTRACK_SMTP_USERNAME"], values["FASTTRACK_SENDER_EMAIL"])
                assert settings.smtp_password == "relay-password"
                assert (settings.smtp_port, settings.smtp_security) == (587, "starttls")  # the defaults
            if isinstance(settings, BoardSettings):
                assert settings.configured() is None and settings.board_url == values["FASTTRACK_BOARD_URL"]
