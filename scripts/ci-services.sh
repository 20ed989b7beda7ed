#!/usr/bin/env bash
# Installs (Debian packages) and starts the components the integration tests talk to:
# Prometheus + promtool, Alertmanager + amtool, Chromium, NATS (JetStream), Redis, RabbitMQ, Mosquitto.
set -uo pipefail

need_pkgs=()
command -v prometheus >/dev/null || need_pkgs+=(prometheus)
command -v prometheus-alertmanager >/dev/null || need_pkgs+=(prometheus-alertmanager)
command -v chromium >/dev/null || need_pkgs+=(chromium)
[ -x /usr/sbin/nats-server ] || command -v nats-server >/dev/null || need_pkgs+=(nats-server)
command -v redis-server >/dev/null || need_pkgs+=(redis-server)
[ -x /usr/sbin/rabbitmq-server ] || need_pkgs+=(rabbitmq-server)
[ -x /usr/sbin/mosquitto ] || need_pkgs+=(mosquitto)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "ci: installing ${need_pkgs[*]}"
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_pkgs[@]}" >/dev/null || {
    echo "ci: apt-get install ${need_pkgs[*]} failed" >&2
    exit 1
  }
fi

port_open() { (echo >"/dev/tcp/127.0.0.1/$1") >/dev/null 2>&1; }
wait_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 1; done
  echo "ci: $2 did not come up on port $1" >&2
  return 1
}

port_open 4222 || { mkdir -p /var/lib/nats-server; start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log; }
port_open 6379 || { mkdir -p /var/lib/redis /var/log/redis; redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log; }
port_open 5672 || rabbitmq-server -detached
port_open 1883 || mosquitto -d -c /etc/mosquitto/mosquitto.conf

status=0
wait_port 4222 nats-server || status=1
wait_port 6379 redis-server || status=1
wait_port 5672 rabbitmq-server || status=1
wait_port 1883 mosquitto || status=1
exit $status
