# Sourced by scripts/test.sh and scripts/scale-sim.sh: creates .venv-test (pinned moto[server],
# websockets and python-hcl2 from PyPI) when it is missing or pinned differently, and sets
# `venv` to its path.
venv=.venv-test
requirements="moto[server]==5.2.1 websockets==15.0.1 python-hcl2==8.1.4"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.requirements" 2>/dev/null)" != "$requirements" ]; then
  echo "creating $venv with $requirements"
  rm -rf "$venv"
  python3 -m venv "$venv"
  # shellcheck disable=SC2086
  "$venv/bin/pip" install --quiet --disable-pip-version-check $requirements
  echo "$requirements" > "$venv/.requirements"
fi
