#!/usr/bin/env bash
# Debian's HAProxy for the RabbitMQ cluster fault test (tests/faults/test_faults_rabbitmq_cluster.py): the test starts
# its own haproxy process on a loopback port in front of its three private nodes; nothing runs as a system service.
set -euo pipefail
if command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's haproxy for the RabbitMQ cluster fault test"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
  exit 0
fi
echo "HAProxy is missing: install Debian's package (sudo apt-get install haproxy)" >&2
exit 1
