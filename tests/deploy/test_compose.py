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
        assert service["build"]["dockerfile"].endswith("services/Dockerfile")
        assert service["build"]["args"] == {"SERVICE": name, "HTTP_PORT": str(port)}
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


SERVICES_DOCKERFILE = ROOT / "services" / "Dockerfile"


def _copied_sources(instructions: list[str], service: str) -> list[str]:
    """The paths of the build context the COPY instructions take, with the SERVICE argument given."""
    sources = []
    for instruction in instructions:
        if instruction.startswith("COPY ") and "--from=" not in instruction:
            *taken, _ = [word for word in instruction.split()[1:] if not word.startswith("--")]
            sources += [source.replace("${SERVICE}", service) for source in taken]
    return sources


@pytest.mark.parametrize(("name", "port"), SERVICES.items())
def test_the_services_dockerfile_builds_each_of_the_five(name, port):
    """One file for the five: what it copies exists for each service, its command is the service's."""
    instructions = _instructions(SERVICES_DOCKERFILE.read_text())
    for source in _copied_sources(instructions, name):
        assert (ROOT / source).exists(), f"{name}: {source} does not exist"
    assert (ROOT / "services" / name / "migrations").is_dir() and (ROOT / "services" / name / "alembic.ini").exists()
    # The command the image's `activateurs-service` links to.
    assert f"activateurs-{name} = " in (ROOT / "services" / name / "pyproject.toml").read_text()


def test_the_services_dockerfile_needs_its_arguments_and_runs_the_chosen_service():
    text = SERVICES_DOCKERFILE.read_text()
    instructions = _instructions(text)
    stages = _stages(text)
    for stage in stages.values():  # an argument is seen only by the stage that declares it
        assert "ARG SERVICE" in stage
    assert 'ln -s "activateurs-${SERVICE}" /opt/venv/bin/activateurs-service' in " ".join(stages["build"])
    assert any(i.startswith("RUN test -n \"${SERVICE}\"") for i in stages["build"]), "SERVICE is required"
    assert any(i.startswith("RUN test -n \"${HTTP_PORT}\"") for i in stages["runtime"]), "HTTP_PORT is required"
    assert "HTTP_PORT=${HTTP_PORT}" in " ".join(stages["runtime"]) and "EXPOSE ${HTTP_PORT}" in instructions
    assert 'CMD ["activateurs-service", "serve"]' in instructions
    assert any(i.startswith("HEALTHCHECK ") and "/health/ready" in i for i in instructions)
    assert "USER activateurs:activateurs" in instructions


def test_the_web_has_its_own_buildable_dockerfile():
    dockerfile = (ROOT / "services" / WEB / "Dockerfile").read_text()
    assert f'CMD ["activateurs-{WEB}", "serve"]' in dockerfile
    assert f"EXPOSE {WEB_PORT}" in dockerfile and "HEALTHCHECK" in dockerfile and "USER " in dockerfile
    for source in _copied_sources(_instructions(dockerfile), WEB):
        assert (ROOT / source).exists(), f"{WEB}: {source} does not exist"


def _without_service_arguments(stage: list[str]) -> list[str]:
    """A stage of the services' Dockerfile less what only chooses the service (its arguments and their use)."""
    return [i for i in stage if "SERVICE" not in i and "HTTP_PORT" not in i or i.startswith("ENV ")]


def test_the_web_image_builds_its_static_bundle_from_the_npm_lock_and_checks_liveness():
    """Not the five's template (a Node stage, no migrations), but its Python build stage and user are the template's."""
    text = (ROOT / "services" / WEB / "Dockerfile").read_text()
    stages = _stages(text)
    template = {name: _without_service_arguments(stage)
                for name, stage in _stages(SERVICES_DOCKERFILE.read_text()).items()}

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
    assert build[:len(template["build"])] == template["build"], "keep the build stage in step with the five's"
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
