"""docker-compose.yml is valid for Compose v2 and brings up the whole stack with health checks."""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import subprocess

import pytest

from tests.support.infra import ROOT

SERVICES = {"registration": 8001, "validation": 8002, "directory": 8003, "contact-relay": 8004, "notifier": 8005}
# The web frontend: no database, no broker, no migrations; the address of every email link.
WEB, WEB_PORT = "web", 8000
# Read by the file from the shell: left out, so that the tests see the file's own defaults.
SHELL_SETTINGS = ("PUBLIC_BASE_URL", "WEB_SECRET_KEY", "CONTACT_RELAY_FORWARDED_ALLOW_IPS")


def _resolved(tmp_path) -> dict:
    """`docker compose config`: through the docker CLI when there is one (Compose v2 from the venv as its
    plugin), else the Compose binary alone."""
    compose = ROOT / ".venv" / "bin" / "docker-compose"
    env = {key: value for key, value in os.environ.items() if key not in SHELL_SETTINGS}
    command = [str(compose), "config", "--format", "json"]
    if shutil.which("docker"):
        (tmp_path / "cli-plugins").mkdir()
        (tmp_path / "cli-plugins" / "docker-compose").symlink_to(compose)
        command, env = ["docker", "compose", "config", "--format", "json"], {**env, "DOCKER_CONFIG": str(tmp_path)}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_compose_file_is_valid_and_complete(tmp_path):
    services = _resolved(tmp_path)["services"]
    assert {"rabbitmq", "postgres", "mailcatcher", *SERVICES} <= set(services)
    for name, port in SERVICES.items():
        service = services[name]
        assert service["build"]["dockerfile"].endswith(f"services/{name}/Dockerfile")
        assert "healthcheck" in service and service["healthcheck"]["test"]
        assert any(p["target"] == port for p in service["ports"])
        assert {"rabbitmq", "postgres"} <= set(service["depends_on"])
        assert service["environment"]["DATABASE_URL"].endswith(f"activateurs_{name.replace('-', '_')}")
    assert services["notifier"]["environment"]["SMTP_HOST"] == "mailcatcher"
    assert len({services[name]["environment"]["DATABASE_URL"] for name in SERVICES}) == len(SERVICES)


def test_the_web_calls_the_five_apis_by_their_container_names(tmp_path):
    services = _resolved(tmp_path)["services"]
    web = services[WEB]
    assert web["build"]["dockerfile"].endswith(f"services/{WEB}/Dockerfile")
    assert web["healthcheck"]["test"] and any(p["target"] == WEB_PORT for p in web["ports"])
    # After the APIs; no database, no broker, nor their credentials.
    assert set(web["depends_on"]) == set(SERVICES)
    environment = web["environment"]
    assert environment["HTTP_PORT"] == str(WEB_PORT)
    assert not {"DATABASE_URL", "RABBITMQ_URL"} & set(environment)
    for name, port in SERVICES.items():
        assert environment[f"WEB_{name.replace('-', '_').upper()}_URL"] == f"http://{name}:{port}"
    # A secret is never written in the file: the shell's or .env's, else the web's development default.
    assert environment["WEB_SECRET_KEY"] is None
    # Every link in an email points at the web, where compose publishes it.
    published = next(p["published"] for p in web["ports"] if p["target"] == WEB_PORT)
    for name in (*SERVICES, WEB):
        assert services[name]["environment"]["PUBLIC_BASE_URL"] == f"http://localhost:{published}", name


def test_contact_relay_believes_the_address_the_web_forwards_from_the_containers_only(tmp_path):
    """The web passes each business's address in X-Forwarded-For; the per-address limits count it."""
    trusted = _resolved(tmp_path)["services"]["contact-relay"]["environment"]["FORWARDED_ALLOW_IPS"]
    networks = [ipaddress.ip_network(entry.strip()) for entry in trusted.split(",") if entry.strip()]
    assert networks and all(network.is_private for network in networks), trusted


def _instructions(text: str) -> list[str]:
    """A Dockerfile's instructions, each on one line (continuations joined, comments dropped)."""
    instructions, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped.removesuffix("\\") + " "
            continue
        instructions.append(" ".join((current + stripped).split()))
        current = ""
    return instructions


def _stages(text: str) -> dict[str, list[str]]:
    """Each build stage's instructions, by name (`FROM ... AS name`; the last, unnamed, is `runtime`)."""
    stages: dict[str, list[str]] = {}
    name = None
    for instruction in _instructions(text):
        if instruction.startswith("FROM "):
            words = instruction.split()
            name = words[3] if len(words) > 3 and words[2].upper() == "AS" else "runtime"
            stages[name] = []
        if name is not None:
            stages[name].append(instruction)
    return stages


def _env(stage: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for instruction in stage:
        if instruction.startswith("ENV "):
            found.update(pair.split("=", 1) for pair in instruction.split()[1:])
    return found


@pytest.mark.parametrize(("name", "port"), [*SERVICES.items(), (WEB, WEB_PORT)])
def test_every_service_has_its_own_buildable_dockerfile(name, port):
    dockerfile = (ROOT / "services" / name / "Dockerfile").read_text()
    assert f'CMD ["activateurs-{name}", "serve"]' in dockerfile
    assert f"EXPOSE {port}" in dockerfile and "HEALTHCHECK" in dockerfile and "USER " in dockerfile
    for instruction in _instructions(dockerfile):
        if instruction.startswith("COPY ") and "--from=" not in instruction:
            *sources, _ = [word for word in instruction.split()[1:] if not word.startswith("--")]
            for source in sources:
                assert (ROOT / source).exists(), f"{name}: {source} does not exist"


def test_the_five_dockerfiles_differ_only_by_service_name_and_port():
    """They are one template instantiated five times (a Dockerfile cannot include another): keep them in step."""
    def normalised(name: str, port: int) -> str:
        text = (ROOT / "services" / name / "Dockerfile").read_text()
        return text.replace(name, "<service>").replace(str(port), "<port>")

    variants = {normalised(name, port) for name, port in SERVICES.items()}
    assert len(variants) == 1


def test_the_web_image_builds_its_static_bundle_from_the_npm_lock_and_checks_liveness():
    """Not the five's template (a Node stage, no migrations), but its Python build stage and user are the template's."""
    text = (ROOT / "services" / WEB / "Dockerfile").read_text()
    stages = _stages(text)
    template = _stages((ROOT / "services" / "notifier" / "Dockerfile").read_text().replace("notifier", WEB))

    arguments = [i for i in _instructions(text) if i.startswith("ARG ")]
    assert [i for i in arguments if "PYTHON_IMAGE" in i] == ["ARG PYTHON_IMAGE=python:3.11-slim"]

    # The DSFR exactly as package-lock.json pins it, none of its scripts run.
    [node_from, *assets] = next(stage for stage in stages.values() if "npm ci" in " ".join(stage))
    assert "NODE_IMAGE" in node_from and "ARG NODE_IMAGE=node:20-slim" in arguments
    [npm_ci] = [i for i in assets if "npm ci" in i]
    assert "--ignore-scripts" in npm_ci.split()
    copied = " ".join(i for i in assets if i.startswith("COPY "))
    assert "services/web/package.json" in copied and "services/web/package-lock.json" in copied

    # The template's build stage, then the bundle built by the installed package into WEB_STATIC_DIR.
    build = stages["build"]
    assert build[:len(template["build"])] == template["build"], "keep the build stage in step with the five"
    static_dir = _env(build)["WEB_STATIC_DIR"]
    [copy_modules] = [i for i in build if i.startswith("COPY --from=") and "node_modules" in i]
    [build_static] = [i for i in build if "activateurs-web build-static" in i]
    assert build_static.split()[-2:] == ["--node-modules", copy_modules.split()[-1]]

    # The runtime: the bundle where WEB_STATIC_DIR says, the template's user, no migrations.
    runtime = stages["runtime"]
    assert runtime[:2] == template["runtime"][:2], "the same base image and non-root user as the five"
    assert [i for i in runtime if i.startswith("USER ")] == [i for i in template["runtime"] if i.startswith("USER ")]
    assert f"COPY --from=build {static_dir} {static_dir}" in runtime
    env = _env(runtime)
    assert env["WEB_STATIC_DIR"] == static_dir
    assert (env["HTTP_HOST"], env["HTTP_PORT"]) == ("0.0.0.0", str(WEB_PORT))
    assert not any("alembic" in i.lower() or "migrations" in i for i in _instructions(text))
    # Alive while the APIs are down (its pages say 503): the container is not unhealthy for them.
    [healthcheck] = [i for i in runtime if i.startswith("HEALTHCHECK ")]
    assert "/health/live" in healthcheck and "/health/ready" not in healthcheck
