#!/usr/bin/env bash
# Make sure PostgreSQL and RabbitMQ answer on the local machine; start them if installed but stopped.
set -euo pipefail

pg_host=127.0.0.1; pg_port=5432; amqp_host=127.0.0.1; amqp_port=5672

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_port() {  # host port name seconds
  for _ in $(seq 1 "$4"); do port_open "$1" "$2" && return 0; sleep 1; done
  echo "$3 did not come up on $1:$2" >&2; return 1
}


if ! port_open $pg_host $pg_port; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "PostgreSQL is stopped: starting it"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
    wait_port $pg_host $pg_port PostgreSQL 30
  else
    cat >&2 <<'MSG'
PostgreSQL is not reachable on 127.0.0.1:5432 and is not installed here.
Install it (Debian/Ubuntu: `sudo apt install postgresql`, trust or password auth for user postgres),
or run the containerised stack instead: `docker compose up`.
MSG
    exit 1
  fi
fi

if ! port_open $amqp_host $amqp_port; then
  if command -v rabbitmq-server >/dev/null; then
    echo "RabbitMQ is stopped: starting it"
    rabbitmq-server -detached
    wait_port $amqp_host $amqp_port RabbitMQ 60
    command -v rabbitmqctl >/dev/null && rabbitmqctl await_startup >/dev/null 2>&1 || true
  else
    cat >&2 <<'MSG'
RabbitMQ is not reachable on 127.0.0.1:5672 and is not installed here.
Install it (Debian/Ubuntu: `sudo apt install rabbitmq-server`; 3.10+ for quorum queues with delivery limits),
or run the containerised stack instead: `docker compose up`.
MSG
    exit 1
  fi
fi
