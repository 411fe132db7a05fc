"""A three-node RabbitMQ cluster (quorum queues, three replicas each) behind HAProxy, as deploy/k8s runs it: the node
leading the most queues SIGKILLed mid-flow, then a second node's application stopped for a few seconds (the queues
lose their majority, then regain it), then the killed node restarted. Every accepted dossier published once, every
request forwarded and confirmed once, no dead letter, every outbox drained."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.flows_faults import Stack, half_flowing, second_half_and_totals
from tests.support.private_infra import PrivateRabbit, PrivateRabbitCluster, private_base
from tests.support.waiting import eventually

STRUCTURES = 40
REQUESTS_PER_BATCH = 40
NO_MAJORITY_SECONDS = 4
# The queues the flow keeps busy (the others, dead-letter queues included, stay idle).
BUSY = ("directory.publication", "directory.contact-statistics", "contact-relay.routing", "notifier.email-requests")


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivateRabbitCluster]:
    cluster = PrivateRabbitCluster(private_base("faults-cluster-"))
    try:
        cluster.start()
        yield cluster
    finally:
        try:
            cluster.discard()
        finally:
            shutil.rmtree(cluster.base, ignore_errors=True)


@pytest.fixture(scope="module")
def private_rabbit(cluster: PrivateRabbitCluster) -> PrivateRabbitCluster:
    """The faults suite's fixtures (faults_vhost, probe, stack) on the cluster, through its proxy."""
    return cluster


class Readiness:
    """Samples every service's /health/ready while the faults happen: when each lost and regained its broker.

    The broker check waits up to 1 s for a connection being re-established, so a reconnection shorter than that
    shows as a slow "ready" (its answer time is noted), a longer one as "not ready".
    """

    def __init__(self, stack: Stack) -> None:
        self.processes = [p for ps in stack.processes.values() for p in ps]
        self.started = time.monotonic()
        self.events: list[tuple[float, str, str]] = []  # seconds since start, who, what
        self._task: asyncio.Task[None] | None = None

    def mark(self, what: str) -> None:
        self.events.append((time.monotonic() - self.started, "test", what))

    async def _sample(self) -> None:
        state = {p.name: "ready" for p in self.processes}
        async with httpx.AsyncClient(timeout=5.0) as http:
            while True:
                for process in self.processes:
                    asked = time.monotonic()
                    try:
                        ok = (await http.get(f"{process.url}/health/ready")).status_code == 200
                    except httpx.HTTPError:
                        ok = False
                    took = time.monotonic() - asked
                    now = ("ready" if ok else "not ready") + (f" (answered in {took:.1f} s)" if took > 0.7 else "")
                    if now != state[process.name]:
                        state[process.name] = now
                        self.events.append((asked - self.started, process.name, now))
                await asyncio.sleep(0.1)

    def __enter__(self) -> Readiness:
        self._task = asyncio.get_running_loop().create_task(self._sample())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()

    def timeline(self) -> str:
        return "\n".join(f"  {at:6.1f}s {who}: {what}" for at, who, what in sorted(self.events))


def busiest_node(cluster: PrivateRabbitCluster, vhost: str) -> tuple[PrivateRabbit, list[str], int]:
    """The node leading the most of the busy queues, then holding the most of the vhost's connections (its loss
    moves leaders and drops clients at once); with the busy queues it leads and its connections."""
    leads: dict[str, list[str]] = {node.node: [] for node in cluster.nodes}
    for name, queue in cluster.quorum_queues(vhost).items():
        if name in BUSY:
            leads[queue["leader"]].append(name)
    connections = cluster.connections(vhost)
    victim = max(leads, key=lambda node: (len(leads[node]), connections[node]))
    return cluster.node(victim), sorted(leads[victim]), connections[victim]


async def test_cluster_losing_the_leading_node_then_its_majority_loses_nothing_and_doubles_nothing(
        stack, probe, cluster, faults_vhost):
    vhost = faults_vhost.rsplit("/", 1)[1]
    flow = await half_flowing(stack, probe, STRUCTURES, REQUESTS_PER_BATCH)

    # Every quorum queue the services, the probe and the tap declared has a replica on each node.
    nodes = sorted(node.node for node in cluster.nodes)
    queues = await asyncio.to_thread(cluster.quorum_queues, vhost)
    assert {"directory.publication", "contact-relay.routing", "notifier.email-requests.dead-letter"} <= set(queues)
    assert {name: sorted(queue["members"]) for name, queue in queues.items()} == {name: nodes for name in queues}
    victim, led, connections = await asyncio.to_thread(busiest_node, cluster, vhost)
    assert led, "the busiest node leads none of the busy queues"

    half = STRUCTURES // 2
    with Readiness(stack) as readiness:
        # The kill lands mid-flow: the second half's acceptances being consumed and published, requests pouring in.
        await flow.publish_accepted(range(half, STRUCTURES), probe)
        posting = asyncio.create_task(flow.post_requests([i % half for i in range(REQUESTS_PER_BATCH // 2)]))
        readiness.mark(f"SIGKILL {victim.node}: leader of {', '.join(led)}; {connections} connections")
        try:
            await asyncio.to_thread(victim.kill)
        finally:
            await posting
        try:
            await stack.wait_ready(timeout=60)
            readiness.mark("every service ready on two nodes")
            leaders = await asyncio.to_thread(cluster.quorum_queues, vhost)
            assert not [name for name in led if leaders[name]["leader"] == victim.node], "no new leader elected"

            live = await asyncio.to_thread(cluster.connections, vhost)
            second = cluster.node(max((node for node in live if node != victim.node), key=live.__getitem__))
            readiness.mark(f"stop_app {second.node} ({live[second.node]} connections): one node of three left")
            await asyncio.to_thread(second.stop_app)
            try:
                # rabbitmqctl leaves out some queues while they have no majority (at times all of them); those it
                # lists show one replica online, the last node's.
                online = {name: queue["online"] for name, queue in
                          (await asyncio.to_thread(cluster.quorum_queues, vhost)).items() if name in BUSY}
                assert all(replicas == [cluster.live().node] for replicas in online.values()), online
                readiness.mark(f"one replica of three online ({', '.join(sorted(online))})")
                # Accepted without a majority: stored, their events wait in the outbox.
                await flow.post_requests([i % half for i in range(REQUESTS_PER_BATCH // 2, REQUESTS_PER_BATCH)])
                await asyncio.sleep(NO_MAJORITY_SECONDS)
            finally:
                await asyncio.to_thread(second.start_app)
            readiness.mark(f"start_app {second.node}: majority back")
            await stack.wait_ready(timeout=60)
            readiness.mark("every service ready again")
        finally:
            await asyncio.to_thread(victim.start)
        readiness.mark(f"{victim.node} restarted")

        async def all_online() -> bool:
            current = await asyncio.to_thread(cluster.quorum_queues, vhost)
            return all(sorted(queue["online"]) == nodes for queue in current.values())

        await eventually(all_online, timeout=60, interval=1, what="every queue's three replicas online")
        readiness.mark("every replica online")
        await stack.wait_ready()
    print(f"cluster faults timeline:\n{readiness.timeline()}")

    await second_half_and_totals(flow, REQUESTS_PER_BATCH)
    dead = {name: count for name, count in (await asyncio.to_thread(cluster.queue_messages, vhost)).items()
            if name.endswith(".dead-letter") and count}
    assert not dead, f"dead letters: {dead}"
    assert await stack.pending_outbox() == {service: 0 for service in stack.databases}
