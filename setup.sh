#!/usr/bin/env bash
# Set up OneBell on a fresh machine: system fonts for Chinese route cards, a virtual environment,
# and the package. `./setup.sh dev` also installs the test and lint tools.
set -euo pipefail
cd "$(dirname "$0")"

need_apt=()
fc-list 2>/dev/null | grep "Noto Sans CJK" >/dev/null || need_apt+=(fonts-noto-cjk)
ldconfig -p 2>/dev/null | grep "libpangoft2-1.0" >/dev/null || need_apt+=(libpango-1.0-0 libpangoft2-1.0-0)
# WeasyPrint subsets the CJK font with HarfBuzz when it can, else with fontTools in Python, which
# took 20 of the 42 s a day's cards took to print
ldconfig -p 2>/dev/null | grep "libharfbuzz-subset" >/dev/null || need_apt+=(libharfbuzz-subset0)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then apt_get=(apt-get); elif command -v sudo >/dev/null; then apt_get=(sudo apt-get); else apt_get=(); fi
  if [ ${#apt_get[@]} -gt 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${need_apt[*]} (for PDF route cards)"
    "${apt_get[@]}" update -qq
    DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "warning: please install ${need_apt[*]} for PDF route cards with Chinese text" >&2
  fi
fi

python3 -m venv .venv
log=$(mktemp)
target=.; [ "${1:-}" = "dev" ] && target=".[dev]"
if ! { .venv/bin/pip install --quiet --upgrade pip && .venv/bin/pip install --quiet -e "$target"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "setup failed: pip could not install OneBell (log above)" >&2
  exit 1
fi
rm -f "$log"
