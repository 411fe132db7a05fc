"""docker-compose.yml is valid for Compose v2 and brings up the whole stack with health checks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

from tests.support.infra import ROOT

SERVICES = {"registration": 8001, "validation": 8002, "directory": 8003, "contact-relay": 8004, "notifier": 8005}


def _resolved(tmp_path) -> dict:
    """`docker compose config`: through the docker CLI when there is one (Compose v2 from the venv as its
    plugin), else the Compose binary alone."""
    compose = ROOT / ".venv" / "bin" / "docker-compose"
    command, env = [str(compose), "config", "--format", "json"], dict(os.environ)
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


def test_every_service_has_its_own_buildable_dockerfile():
    for name, port in SERVICES.items():
        dockerfile = (ROOT / "services" / name / "Dockerfile").read_text()
        assert f'CMD ["activateurs-{name}", "serve"]' in dockerfile
        assert f"EXPOSE {port}" in dockerfile and "HEALTHCHECK" in dockerfile and "USER " in dockerfile
        for line in dockerfile.splitlines():
            if line.startswith("COPY ") and "--from=" not in line:
                source = line.split()[1]
                assert (ROOT / source).exists(), f"{name}: {source} does not exist"


def test_the_five_dockerfiles_differ_only_by_service_name_and_port():
    """They are one template instantiated five times (a Dockerfile cannot include another): keep them in step."""
    def normalised(name: str, port: int) -> str:
        text = (ROOT / "services" / name / "Dockerfile").read_text()
        return text.replace(name, "<service>").replace(str(port), "<port>")

    variants = {normalised(name, port) for name, port in SERVICES.items()}
    assert len(variants) == 1
