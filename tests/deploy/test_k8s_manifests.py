"""deploy/k8s: every manifest is valid for Kubernetes, offline, and holds the platform's production rules."""

from __future__ import annotations

import importlib
import ipaddress
import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from activateurs.shared.messaging.topology import DEAD_LETTER_EXCHANGE, DEFAULT_DELIVERY_LIMIT, QueueSpec
from tests.support.infra import ROOT

K8S = ROOT / "deploy" / "k8s"
BASE = K8S / "base"
NAMESPACE = "activateurs"
SERVICES = {"registration": 8001, "validation": 8002, "directory": 8003, "contact-relay": 8004, "notifier": 8005}
# The web frontend: a Deployment like theirs, but no database, no broker, no migration Job.
WEB, WEB_PORT = "web", 8000
PORTS = {**SERVICES, WEB: WEB_PORT}
# The oldest Kubernetes the manifests support, and the newest schema kubernetes-validate knows.
K8S_VERSIONS = ("1.30.0", "1.37.0")
# Names of settings that hold credentials: their values may only come from a Secret.
SECRET_NAME = re.compile(r"PASSWORD|SECRET|KEY|TOKEN|COOKIE|CREDENTIAL|_PASS$", re.IGNORECASE)
# A URL with a password in it (scheme://user:password@host).
CREDENTIALS_IN_URL = re.compile(r"[a-z][a-z0-9+.-]*://[^\s/:@]+:[^\s/@]+@", re.IGNORECASE)
# The URLs the services take embed credentials: Secret references too, whatever their name.
SECRET_URLS = {"DATABASE_URL", "RABBITMQ_URL"}
# In a configuration file or script: a secret-looking setting given a literal (not `$VARIABLE`) value.
LITERAL_SECRET_SETTING = re.compile(r"^\s*\S*(pass|secret|cookie)\S*\s*=\s*(?![\"']?\$)\S", re.IGNORECASE | re.MULTILINE)


# --- loading -------------------------------------------------------------------------------------

@cache
def _resources() -> tuple[str, ...]:
    return tuple(yaml.safe_load((BASE / "kustomization.yaml").read_text())["resources"])


@cache
def _documents() -> tuple[dict, ...]:
    """Every object of the base kustomization, in the order it lists its plain files (no patches there)."""
    documents = []
    for resource in _resources():
        documents += [doc for doc in yaml.safe_load_all((BASE / resource).read_text()) if doc]
    return tuple(documents)


def _objects(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in _documents() if doc["kind"] == kind}


def _one(kind: str, name: str) -> dict:
    objects = _objects(kind)
    assert name in objects, f"no {kind} {name} in deploy/k8s/base"
    return objects[name]


def _pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def _workloads() -> list[dict]:
    return [doc for doc in _documents() if doc["kind"] in {"Deployment", "StatefulSet", "Job", "DaemonSet"}]


def _containers(pod: dict) -> list[dict]:
    return pod.get("initContainers", []) + pod["containers"]


def _environment(container: dict) -> dict[str, tuple[str, object]]:
    """Each variable the container gets: ("value", text), ("secret", (name, key)) or ("configmap", ...)."""
    found: dict[str, tuple[str, object]] = {}
    configmaps = _objects("ConfigMap")
    for source in container.get("envFrom", []):
        assert "secretRef" not in source, "name Secret variables one by one (secretKeyRef), not with envFrom"
        name = source["configMapRef"]["name"]
        assert name in configmaps, f"ConfigMap {name} is not in the manifests"
        for key, value in configmaps[name]["data"].items():
            found[key] = ("configmap", value)
    for variable in container.get("env", []):
        if "value" in variable:
            found[variable["name"]] = ("value", variable["value"])
        elif "secretKeyRef" in variable.get("valueFrom", {}):
            ref = variable["valueFrom"]["secretKeyRef"]
            found[variable["name"]] = ("secret", (ref["name"], ref["key"]))
        else:
            found[variable["name"]] = ("other", variable.get("valueFrom"))
    return found


def _matches(selector: dict, labels: dict[str, str]) -> bool:
    """A Kubernetes label selector (matchLabels and matchExpressions) applied to a set of labels."""
    if any(labels.get(key) != value for key, value in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        ok = {"In": key in labels and labels[key] in values,
              "NotIn": labels.get(key) not in values,
              "Exists": key in labels,
              "DoesNotExist": key not in labels}[operator]
        if not ok:
            return False
    return True


def _port(container: dict, port: int | str) -> int:
    """A probe's or Service's port, resolved through the container's named ports."""
    if isinstance(port, int):
        return port
    named = {p["name"]: p["containerPort"] for p in container.get("ports", []) if "name" in p}
    assert port in named, f"{container['name']} has no port named {port}"
    return named[port]


def _dockerfile(name: str) -> Path:
    """The web's own Dockerfile, or the five services' one."""
    own = ROOT / "services" / name / "Dockerfile"
    return own if own.exists() else ROOT / "services" / "Dockerfile"


def _dockerfile_image(name: str) -> str:
    """The image name the Dockerfile tells to build (`docker build … -t activateurs-<name> .`)."""
    text = _dockerfile(name).read_text()
    match = re.search(r"docker build -f services/(?:[\w-]+/)?Dockerfile ((?:--build-arg \S+ )*)-t ([\w.-]+) \.", text)
    assert match, f"{_dockerfile(name)} does not say its image name"
    # The five's file shows one service's build; the others' images are named the same way.
    example = dict(re.findall(r"--build-arg (\w+)=(\S+)", match.group(1))).get("SERVICE", name)
    return match.group(2).replace(example, name)


def _dockerfile_command(name: str) -> list[str]:
    """The image's command, `activateurs-service` being the link to the service's own in the five's image."""
    text = _dockerfile(name).read_text()
    command = json.loads(re.search(r"^CMD (\[.*\])$", text, re.MULTILINE).group(1))
    return [f"activateurs-{name}" if word == "activateurs-service" else word for word in command]


def _image_name(image: str) -> str:
    return image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image


# --- the files themselves ------------------------------------------------------------------------

def test_the_kustomization_lists_every_manifest_of_the_base():
    listed = set(_resources())
    on_disk = {path.name for path in BASE.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == on_disk, f"listed but missing: {listed - on_disk}; not listed: {on_disk - listed}"
    assert len(_resources()) == len(listed), "a manifest is listed twice"


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_every_object_is_valid_for_the_kubernetes_api(version):
    errors = []
    for doc in _documents():
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            where = ".".join(str(part) for part in error.path)
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: {where}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError as error:
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: {error.message}")
    assert not errors, "\n".join(errors)


def test_objects_are_unique_and_all_in_the_platform_namespace():
    keys = [(doc["kind"], doc["metadata"]["name"]) for doc in _documents()]
    assert len(keys) == len(set(keys)), "an object is defined twice"
    assert _one("Namespace", NAMESPACE)["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for doc in _documents():
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == NAMESPACE, f"{doc['kind']}/{doc['metadata']['name']}"


def test_the_production_overlay_builds_on_the_base_with_the_services_images():
    overlay = yaml.safe_load((K8S / "overlays" / "production" / "kustomization.yaml").read_text())
    assert "../../base" in overlay["resources"]
    assert {image["name"] for image in overlay["images"]} == {_dockerfile_image(name) for name in PORTS}
    for patch in overlay.get("patches", []):
        target = yaml.safe_load((K8S / "overlays" / "production" / patch["path"]).read_text())
        assert target["metadata"]["name"] in _objects(target["kind"]), f"{patch['path']} patches nothing"


# --- the five services ---------------------------------------------------------------------------

def _replicated_container(name: str) -> dict:
    """The Deployment's one container, checked for what every Deployment of ours holds; returned for the rest."""
    port = PORTS[name]
    deployment = _one("Deployment", name)
    pod = _pod_spec(deployment)
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert _matches(deployment["spec"]["selector"], labels)
    assert deployment["spec"]["replicas"] >= 2
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert pod["terminationGracePeriodSeconds"] >= 30
    [container] = pod["containers"]

    # The image the Dockerfile builds, on the port of CONTRACTS.md.
    assert _image_name(container["image"]) == _dockerfile_image(name)
    assert [p["containerPort"] for p in container["ports"]] == [port]
    assert _environment(container)["HTTP_PORT"] == ("configmap", str(port))

    # Probes on its own port: live, ready, and a startup probe.
    for probe, path in (("livenessProbe", "/health/live"), ("readinessProbe", "/health/ready"),
                        ("startupProbe", "/health/live")):
        assert container[probe]["httpGet"]["path"] == path, probe
        assert _port(container, container[probe]["httpGet"]["port"]) == port, probe

    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(container["resources"][kind]), kind

    # Spread over nodes when possible, without blocking scheduling.
    [term] = pod["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert _matches(term["podAffinityTerm"]["labelSelector"], labels)
    assert term["podAffinityTerm"]["topologyKey"] == "kubernetes.io/hostname"
    return container


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_runs_two_hardened_replicas_that_do_not_migrate(name):
    container = _replicated_container(name)
    # Started as the Dockerfile's CMD, but without migrating (the Job does).
    assert container["command"] == [*_dockerfile_command(name), "--no-migrate"]
    startup = container["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] > 60, "serve waits up to 60 s for its dependencies"


def _service_address(url: str) -> tuple[str, int]:
    """The Service a URL inside the cluster names (`name`, `name.namespace` or the full DNS name) and its port."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    for suffix in (f".{NAMESPACE}.svc.cluster.local", f".{NAMESPACE}.svc", f".{NAMESPACE}"):
        host = host.removesuffix(suffix)
    return host, parts.port or 80


def test_the_web_runs_two_hardened_replicas_that_call_the_five_apis_through_their_services():
    container = _replicated_container(WEB)
    # Nothing to migrate: the image's own command.
    assert container["command"] == _dockerfile_command(WEB)
    environment = _environment(container)
    assert environment["ENVIRONMENT"] == ("configmap", "production")
    assert environment["PUBLIC_BASE_URL"][0] == "configmap"
    # No database nor broker, so none of their credentials.
    assert not SECRET_URLS & set(environment)
    # The one secret, the same in every replica.
    assert environment["WEB_SECRET_KEY"] == ("secret", ("web-secrets", "WEB_SECRET_KEY"))
    for name in SERVICES:
        source, url = environment[f"WEB_{name.replace('-', '_').upper()}_URL"]
        assert source == "configmap" and url.startswith("http://"), name
        service, port = _service_address(url)
        assert service == name, url
        assert port in {p["port"] for p in _one("Service", name)["spec"]["ports"]}, url
    assert not any(_image_name(_pod_spec(job)["containers"][0]["image"]) == _dockerfile_image(WEB)
                   for job in _objects("Job").values()), "the web has no migration Job"


@pytest.mark.parametrize("name", PORTS)
def test_each_service_has_a_cluster_ip_service_and_a_disruption_budget(name):
    deployment = _one("Deployment", name)
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    [container] = _pod_spec(deployment)["containers"]
    service = _one("Service", name)
    assert service["spec"].get("type", "ClusterIP") == "ClusterIP"
    assert _matches({"matchLabels": service["spec"]["selector"]}, labels)
    [service_port] = service["spec"]["ports"]
    assert service_port["port"] == PORTS[name] and _port(container, service_port["targetPort"]) == PORTS[name]

    budget = _one("PodDisruptionBudget", name)
    assert budget["spec"]["minAvailable"] == 1
    assert _matches(budget["spec"]["selector"], labels)
    if name not in SERVICES:
        return
    migration_labels = _migration_jobs()[name]["spec"]["template"]["metadata"]["labels"]
    assert not _matches(budget["spec"]["selector"], migration_labels), "the budget must not count Job pods"
    assert not _matches({"matchLabels": service["spec"]["selector"]}, migration_labels), "no traffic to Job pods"


def _migration_jobs() -> dict[str, dict]:
    jobs: dict[str, dict] = {}
    for job in _objects("Job").values():
        [container] = _pod_spec(job)["containers"]
        if container["command"][1:] == ["migrate"]:
            service = container["command"][0].removeprefix("activateurs-")
            assert service not in jobs, f"two migration Jobs for {service}"
            jobs[service] = job
    return jobs


def test_one_migration_job_per_service_with_the_same_image_and_settings_as_its_pods():
    jobs = _migration_jobs()
    assert set(jobs) == set(SERVICES)
    for name, job in jobs.items():
        [migrate] = _pod_spec(job)["containers"]
        [serve] = _pod_spec(_one("Deployment", name))["containers"]
        assert migrate["image"] == serve["image"]
        assert migrate["command"] == [f"activateurs-{name}", "migrate"]
        assert _environment(migrate) == _environment(serve), f"{name}: the Job must see what the pods see"
        assert _pod_spec(job)["restartPolicy"] in {"Never", "OnFailure"}
        assert job["spec"]["backoffLimit"] >= 1 and job["spec"]["activeDeadlineSeconds"] > 60


def test_every_pod_runs_as_non_root_without_privileges():
    for workload in _workloads():
        pod, name = _pod_spec(workload), workload["metadata"]["name"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        assert pod.get("hostNetwork") is not True and pod.get("hostPID") is not True, name
        for container in _containers(pod):
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, (name, container["name"])
            assert context["readOnlyRootFilesystem"] is True, (name, container["name"])
            assert context.get("privileged") is not True, (name, container["name"])
            assert context["capabilities"]["drop"] == ["ALL"], (name, container["name"])
            assert not context["capabilities"].get("add"), (name, container["name"])
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][kind]), (name, container["name"], kind)
    jobs = _migration_jobs()
    for name in PORTS:
        for workload in (_one("Deployment", name), *([jobs[name]] if name in SERVICES else [])):
            # The user the Dockerfile creates and switches to.
            uid = re.search(r"--uid (\d+)", _dockerfile(name).read_text()).group(1)
            assert _pod_spec(workload)["securityContext"]["runAsUser"] == int(uid)
            mounts = {m["mountPath"] for m in _pod_spec(workload)["containers"][0]["volumeMounts"]}
            assert "/tmp" in mounts, "the root filesystem is read-only: /tmp must be a volume"


# --- secrets -------------------------------------------------------------------------------------

def test_no_secret_is_written_in_the_manifests():
    assert not _objects("Secret"), "Secrets are created from deploy/k8s/secrets.example/, never committed"
    for workload in _workloads():
        for container in _containers(_pod_spec(workload)):
            where = f"{workload['metadata']['name']}/{container['name']}"
            for variable, (source, value) in _environment(container).items():
                if SECRET_NAME.search(variable) or variable in SECRET_URLS:
                    assert source == "secret", f"{where}: {variable} must come from a secretKeyRef"
                if isinstance(value, str):
                    assert not CREDENTIALS_IN_URL.search(value), f"{where}: {variable} holds a password"
    for name, configmap in _objects("ConfigMap").items():
        for key, value in configmap["data"].items():
            assert not SECRET_NAME.search(key), f"ConfigMap {name}: {key} belongs in a Secret"
            assert not CREDENTIALS_IN_URL.search(value), f"ConfigMap {name}: {key} holds a password"
            assert not LITERAL_SECRET_SETTING.search(value), f"ConfigMap {name}: {key} sets a secret"


def test_client_addresses_are_taken_from_the_ingress_and_only_from_the_cluster():
    trusted = _one("ConfigMap", "activateurs-config")["data"].get("FORWARDED_ALLOW_IPS", "")
    networks = [ipaddress.ip_network(entry.strip()) for entry in trusted.split(",") if entry.strip()]
    assert networks, "FORWARDED_ALLOW_IPS: the ingress's addresses, or every request shares one rate limit"
    assert all(network.is_private for network in networks), "trust proxies of the cluster only, never '*'"
    # The web believes the ingress, then passes the client's address on to contact-relay in X-Forwarded-For:
    # contact-relay must believe the web's pods, which are in the same pod network as the ingress's.
    for name in (WEB, "contact-relay"):
        [container] = _pod_spec(_one("Deployment", name))["containers"]
        assert _environment(container)["FORWARDED_ALLOW_IPS"] == ("configmap", trusted), name


def test_every_secret_the_manifests_read_is_documented_in_the_examples():
    references: set[tuple[str, str]] = set()
    for workload in _workloads():
        pod = _pod_spec(workload)
        for container in _containers(pod):
            references |= {value for source, value in _environment(container).values() if source == "secret"}
        for volume in pod.get("volumes", []):
            if "secret" in volume:
                references |= {(volume["secret"]["secretName"], item["key"]) for item in volume["secret"]["items"]}
    assert references
    for secret, key in references:
        example = K8S / "secrets.example" / f"{secret}.env"
        assert example.exists(), f"no example for Secret {secret}"
        assert re.search(rf"\b{key}\b", example.read_text()), f"{secret}: {key} undocumented"
    for name in SERVICES:
        text = (K8S / "secrets.example" / f"{name}-secrets.env").read_text()
        database = re.search(r"^DATABASE_URL=(.*)$", text, re.MULTILINE).group(1)
        assert database.endswith("/activateurs_" + name.replace("-", "_")), name


# --- RabbitMQ ------------------------------------------------------------------------------------

def _service_queues() -> list[QueueSpec]:
    queues = []
    for name in SERVICES:
        module = importlib.import_module(f"activateurs.{name.replace('-', '_')}.entrypoints.consumers")
        queues += [value for value in vars(module).values() if isinstance(value, QueueSpec)]
    return queues


def test_rabbitmq_is_a_three_node_cluster_formed_by_kubernetes_peer_discovery():
    statefulset = _one("StatefulSet", "rabbitmq")
    assert statefulset["spec"]["replicas"] == 3
    headless = _one("Service", statefulset["spec"]["serviceName"])
    assert headless["spec"]["clusterIP"] == "None" and headless["spec"]["publishNotReadyAddresses"] is True
    assert statefulset["spec"]["volumeClaimTemplates"], "each node keeps its data on its own volume"

    config = _one("ConfigMap", "rabbitmq-config")["data"]
    assert "rabbitmq_peer_discovery_k8s" in config["enabled_plugins"]
    assert re.search(r"^cluster_formation\.peer_discovery_backend\s*=\s*(rabbit_peer_discovery_)?k8s$",
                     config["rabbitmq.conf"], re.MULTILINE)
    pod = _pod_spec(statefulset)
    # No Role is granted: the 4.1+ plugin finds the seed node from the pod ordinal, not from the API.
    image = pod["containers"][0]["image"]
    version = tuple(int(part) for part in re.search(r":(\d+)\.(\d+)", image).groups())
    assert version >= (4, 1), "RabbitMQ < 4.1 needs `get endpoints` RBAC and a token for peer discovery"
    assert pod["automountServiceAccountToken"] is False
    assert not _objects("Role") and not _objects("ClusterRole")

    # The Erlang cookie comes from the Secret, mounted for the init container that installs it.
    cookie_volumes = [v for v in pod["volumes"] if "secret" in v
                      and any(item["key"] == "RABBITMQ_ERLANG_COOKIE" for item in v["secret"]["items"])]
    assert cookie_volumes
    init_mounts = {m["name"] for c in pod["initContainers"] for m in c["volumeMounts"]}
    assert cookie_volumes[0]["name"] in init_mounts


def test_the_rabbitmq_policy_dead_letters_every_service_queue_like_the_services_declare():
    definitions = json.loads(_one("ConfigMap", "rabbitmq-definitions")["data"]["policies.json"])
    [policy] = definitions["policies"]
    assert {"name": policy["vhost"]} in definitions["vhosts"]
    assert policy["apply-to"] == "quorum_queues"
    assert policy["definition"] == {
        "dead-letter-exchange": DEAD_LETTER_EXCHANGE.name,
        "dead-letter-strategy": "at-least-once",
        # at-least-once dead-lettering needs it.
        "overflow": "reject-publish",
        "delivery-limit": DEFAULT_DELIVERY_LIMIT,
    }
    assert policy["pattern"].startswith("^(" + "|".join(SERVICES) + r")\.")

    # Python's re and RabbitMQ's (Erlang PCRE) agree on this pattern: anchors, alternation, lookahead.
    pattern = re.compile(policy["pattern"])
    queues = _service_queues()
    assert {queue.name.split(".")[0] for queue in queues} == set(SERVICES)
    for queue in queues:
        assert pattern.search(queue.name), f"the policy misses {queue.name}"
        assert not pattern.search(queue.dead_letter_name), f"{queue.dead_letter_name} must not dead-letter"
        assert queue.delivery_limit == policy["definition"]["delivery-limit"]
        assert queue.queue().arguments["x-dead-letter-exchange"] == policy["definition"]["dead-letter-exchange"]
    assert not pattern.search("activateurs.unrouted")


def test_rabbitmq_loads_the_policy_and_users_at_boot_from_secrets():
    statefulset = _one("StatefulSet", "rabbitmq")
    pod = _pod_spec(statefulset)
    config = _one("ConfigMap", "rabbitmq-config")["data"]["rabbitmq.conf"]
    definitions_dir = re.search(r"^load_definitions\s*=\s*(\S+)$", config, re.MULTILINE).group(1)
    [rabbitmq] = pod["containers"]
    mounts = {m["mountPath"]: m["name"] for m in rabbitmq["volumeMounts"]}
    assert mounts[definitions_dir.rstrip("/")] == "definitions"

    # The init container renders the users and copies the policies into that directory.
    [setup] = pod["initContainers"]
    source = next(v for v in pod["volumes"] if v.get("configMap", {}).get("name") == "rabbitmq-definitions")
    init_mounts = {m["name"]: m["mountPath"] for m in setup["volumeMounts"]}
    script = _one("ConfigMap", "rabbitmq-definitions")["data"][setup["command"][-1].rsplit("/", 1)[-1]]
    assert f"{init_mounts[source['name']]}/policies.json {init_mounts['definitions']}/" in script
    for variable in ("RABBITMQ_ADMIN_PASSWORD", "RABBITMQ_APP_PASSWORD"):
        assert _environment(setup)[variable][0] == "secret"
        assert f"${variable}" in script


# --- PostgreSQL and network policies -------------------------------------------------------------

def test_postgres_keeps_its_data_and_creates_one_database_per_service():
    statefulset = _one("StatefulSet", "postgres")
    assert statefulset["spec"]["replicas"] == 1 and statefulset["spec"]["volumeClaimTemplates"]
    pod = _pod_spec(statefulset)
    [postgres] = pod["containers"]
    environment = _environment(postgres)
    assert environment["POSTGRES_PASSWORD"][0] == "secret"
    init_volume = next(m["name"] for m in postgres["volumeMounts"] if m["mountPath"] == "/docker-entrypoint-initdb.d")
    configmap = next(v["configMap"]["name"] for v in pod["volumes"] if v["name"] == init_volume)
    script = "\n".join(_one("ConfigMap", configmap)["data"].values())
    loop = re.search(r"for service in ([\w ]+); do", script).group(1).split()
    assert loop == [name.replace("-", "_") for name in SERVICES]
    assert 'CREATE DATABASE :"name"' in script and "activateurs_$service" in script
    for service in loop:
        assert environment[f"{service.upper()}_DB_PASSWORD"][0] == "secret"


@pytest.mark.parametrize(("target", "port"), [("postgres", 5432), ("rabbitmq", 5672)])
def test_only_the_services_reach_the_database_and_the_broker(target, port):
    target_labels = _one("StatefulSet", target)["spec"]["template"]["metadata"]["labels"]
    policies = [p for p in _objects("NetworkPolicy").values() if _matches(p["spec"]["podSelector"], target_labels)]
    assert policies, f"nothing restricts who reaches {target}"

    def allowed(labels: dict[str, str]) -> bool:
        return any(_matches(peer["podSelector"], labels) and any(p["port"] == port for p in rule["ports"])
                   for policy in policies for rule in policy["spec"]["ingress"] for peer in rule["from"])

    for name in SERVICES:
        assert allowed(_one("Deployment", name)["spec"]["template"]["metadata"]["labels"]), name
        assert allowed(_migration_jobs()[name]["spec"]["template"]["metadata"]["labels"]), name
    assert not allowed({}), "an unlabelled pod must not get in"
    assert not allowed(_one("Deployment", WEB)["spec"]["template"]["metadata"]["labels"]), "the web only calls APIs"
    other = "rabbitmq" if target == "postgres" else "postgres"
    assert not allowed(_one("StatefulSet", other)["spec"]["template"]["metadata"]["labels"])


# --- rollout -------------------------------------------------------------------------------------

def test_the_rollout_applies_the_apis_after_the_migrations_and_the_web_after_the_apis():
    script = (K8S / "rollout.sh").read_text()
    selectors = [set(match.split(",")) for match in
                 re.findall(r"-l 'app\.kubernetes\.io/component notin \(([\w,-]+)\)'", script)]
    assert len(selectors) == 2, "rollout.sh: steps 1 and 3 select by component"
    components = {name: _one("Deployment", name)["metadata"]["labels"]["app.kubernetes.io/component"] for name in PORTS}
    # Step 1 (before the migrations) leaves out every Deployment, Service and budget of ours.
    assert "migration" in selectors[0]
    for kind in ("Deployment", "Service", "PodDisruptionBudget"):
        for name in PORTS:
            labels = _one(kind, name)["metadata"]["labels"]
            assert labels["app.kubernetes.io/component"] in selectors[0], (kind, name)
    # Step 3 applies the APIs (not the web) and waits for each; step 4 applies the rest and waits for the web.
    assert components[WEB] in selectors[1] and not {components[name] for name in SERVICES} & selectors[1]
    loop = re.search(r"for deployment in ([\w -]+); do", script)
    assert sorted(loop.group(1).split()) == sorted(SERVICES)
    assert sorted([*SERVICES, WEB]) == sorted(_objects("Deployment")), "a Deployment rollout.sh does not wait for"
    web_wait = script.index(f"rollout status deployment/{WEB} ")
    assert loop.end() < script.index('kubectl apply -k "$KUSTOMIZATION"\n', loop.end()) < web_wait
