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
from fasttrack.engagement.budget import STATE_BUDGET
from fasttrack.models import EDGE, Purchase, Scope, SourceEnvironment
from fasttrack.policy import BenefitPolicy
from fasttrack.rules import assess_environment, scope_problems
from workers.config import ENV_PREFIX, WorkerSettings
from workers.connection import connect_options, payload_codec
from workflows import search_attributes as sa
from workflows.action_signals import SIGNALLED_ACTIONS

REPOSITORY = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((REPOSITORY / "docker-compose.yml").read_text())


def test_compose_runs_temporal_ui_and_the_worker():
    services = COMPOSE["services"]
    assert {"postgresql", "temporal", "temporal-ui", "search-attributes", "worker"} <= set(services)
    assert services["worker"]["build"] == "."
    assert services["worker"]["depends_on"]["search-attributes"]["condition"] == "service_completed_successfully"
    assert services["temporal-ui"]["environment"]["TEMPORAL_ADDRESS"] == "temporal:7233"


def test_worker_environment_is_valid_configuration(monkeypatch, tmp_path):
    environment = COMPOSE["services"]["worker"]["environment"]
    known = {f"{ENV_PREFIX}{name.upper()}" for name in WorkerSettings.model_fields} | {"TEMPORAL_ADDRESS",
                                                                                      "TEMPORAL_NAMESPACE"}
    assert set(environment) <= known, set(environment) - known
    for name, value in environment.items():
        monkeypatch.setenv(name, re.sub(r"\$\{(\w+):\?[^}]*\}", lambda match: SECRETS[match[1]], str(value)))
    monkeypatch.setenv("TEMPORAL_CONFIG_FILE", os.devnull)
    settings = WorkerSettings.from_environment()
    assert connect_options(settings)["target_host"] == "temporal:7233"
    assert payload_codec(settings).current == "2026-11"
    assert settings.register_url.startswith("postgresql+psycopg://fasttrack:")


SECRETS = {
    "FASTTRACK_DB_PASSWORD": "register-password", "FASTTRACK_SMTP_PASSWORD": "smtp-password",
    "FASTTRACK_ENCRYPTION_KEYS": f"2026-11:{base64.b64encode(bytes(32)).decode()}",
}


def test_compose_requires_every_secret_and_publishes_ports_on_loopback_only():
    text = (REPOSITORY / "docker-compose.yml").read_text()
    assert "change-me" not in text and ":-" not in text  # no placeholder, no default
    for service in COMPOSE["services"].values():
        for name, value in (service.get("environment") or {}).items():
            if any(word in name for word in ("PASSWORD", "PWD", "SECRET", "TOKEN", "KEYS")):
                assert re.fullmatch(r"\$\{\w+:\?[^}]+\}", str(value)), name
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), port
    assert "${FASTTRACK_DB_PASSWORD:?" in COMPOSE["services"]["worker"]["environment"]["FASTTRACK_DATABASE_URL"]


def test_compose_runs_the_codec_server_and_points_the_ui_at_it():
    codec = COMPOSE["services"]["codec-server"]
    assert codec["build"] == "." and codec["command"] == ["python", "-m", "codec_server.service"]
    assert codec["environment"]["FASTTRACK_ENCRYPTION_KEYS"] == COMPOSE["services"]["worker"]["environment"][
        "FASTTRACK_ENCRYPTION_KEYS"]
    published = codec["ports"][0].split(":")[1]
    endpoint = COMPOSE["services"]["temporal-ui"]["environment"]["TEMPORAL_CODEC_ENDPOINT"]
    assert endpoint.startswith(f"http://127.0.0.1:{published}/${{FASTTRACK_CODEC_TOKEN:?")
    ui_port = COMPOSE["services"]["temporal-ui"]["ports"][0].split(":")[1]
    assert f"http://127.0.0.1:{ui_port}" in codec["environment"]["FASTTRACK_CODEC_ORIGINS"].split(",")


def test_compose_gives_the_register_its_own_database_and_chooses_the_retention():
    services = COMPOSE["services"]
    mounts = dict(volume.split(":")[1::-1] for volume in services["postgresql"]["volumes"] if volume.startswith("./"))
    script = (REPOSITORY / mounts["/docker-entrypoint-initdb.d/register.sh"]).read_text()
    assert "CREATE DATABASE fasttrack_register OWNER fasttrack" in script  # run for real in test_compose_database_script
    assert services["worker"]["environment"]["FASTTRACK_DATABASE_URL"].endswith("@postgresql/fasttrack_register")
    assert services["worker"]["depends_on"]["postgresql"]["condition"] == "service_healthy"
    assert services["temporal"]["environment"]["DEFAULT_NAMESPACE_RETENTION"] == RETENTION  # as the dev stack's


def test_compose_registers_exactly_the_workflow_search_attributes():
    script = " ".join(COMPOSE["services"]["search-attributes"]["command"])
    declared = dict(re.findall(r"(FastTrack\w+)=(\w+)", script))
    expected = dict(flag.split("=") for flag in sa.dev_server_flags() if "=" in flag)
    assert declared == expected


def test_worker_image_contains_every_package():
    dockerfile = (REPOSITORY / "Dockerfile").read_text()
    for package in ("fasttrack", "workflows", "activities", "workers"):
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
    flags = server_limit_flags()
    assert f"limit.blobSize.error={limits['limit.blobSize.error'][0]['value']}" in flags


def test_the_signal_examples_cover_every_action_and_pass_its_checks():
    examples = json.loads((REPOSITORY / "examples" / "signals.json").read_text())
    assert set(examples) == set(SIGNALLED_ACTIONS)
    for name, payload in examples.items():
        body = {key: value for key, value in payload.items() if key != "request_id"}
        SIGNALLED_ACTIONS[name].model_validate(body, context=EDGE)  # the strict rules of the edge
        assert payload["request_id"]


def test_compose_runs_the_intake_from_the_image_with_required_secrets():
    intake = COMPOSE["services"]["intake"]
    assert intake["build"] == "." and intake["command"] == ["python", "-m", "intake.service"]
    for variable in ("FASTTRACK_COMMERCE_SECRET", "FASTTRACK_PORTAL_SECRET", "FASTTRACK_INTAKE_TOKENS"):
        assert ":?" in intake["environment"][variable]  # compose refuses to start without it
    image = (REPOSITORY / "Dockerfile").read_text()
    for package in ("fasttrack", "workflows", "activities", "workers", "register", "intake", "codec_server", "cli"):
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
