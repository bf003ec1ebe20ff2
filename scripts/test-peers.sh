# Sourced by scripts/test.sh and scripts/scale-sim.sh: the Python peers.
# - Creates .venv-test (pinned moto[server], websockets, python-hcl2 and selenium from PyPI) when it is
#   missing or pinned differently, and sets `venv` to its path.
# - `start_moto LOG` starts moto_server on a free loopback port, logging to LOG, stops it on
#   exit, waits until it answers (at most 20 s), and sets `moto_pid` and `moto_port`.
venv=.venv-test
requirements="moto[server]==5.2.1 websockets==15.0.1 python-hcl2==8.1.4 selenium==4.27.1"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.requirements" 2>/dev/null)" != "$requirements" ]; then
  echo "creating $venv with $requirements"
  rm -rf "$venv"
  python3 -m venv "$venv"
  # shellcheck disable=SC2086
  "$venv/bin/pip" install --quiet --disable-pip-version-check $requirements
  echo "$requirements" > "$venv/.requirements"
fi

start_moto() {
  moto_port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$venv/bin/moto_server" -H 127.0.0.1 -p "$moto_port" > "$1" 2>&1 &
  moto_pid=$!
  trap 'kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    if curl -fs -o /dev/null "http://127.0.0.1:$moto_port/moto-api/"; then break; fi
    if ! kill -0 "$moto_pid" 2>/dev/null; then break; fi
    sleep 0.2
  done
}
