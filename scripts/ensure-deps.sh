#!/usr/bin/env bash
# Makes sure the system packages budgetq builds against are present (Debian/Ubuntu).
# libedit-dev provides histedit.h and libedit.pc for the REPL's line editing.
set -euo pipefail

if pkg-config --exists libedit 2>/dev/null && [ -f /usr/include/histedit.h ]; then
  exit 0
fi
echo "budgetq: libedit-dev is missing; installing it with apt-get" >&2
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "budgetq: cannot install libedit-dev: not root and no sudo. Run as root: apt-get install -y libedit-dev" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "budgetq: cannot install libedit-dev: no apt-get here. Install libedit (headers and pkg-config file) by hand." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y libedit-dev >/dev/null 2>&1 || {
  $SUDO apt-get update >/dev/null && $SUDO apt-get install -y libedit-dev >/dev/null
} || {
  echo "budgetq: apt-get could not install libedit-dev; install it by hand: apt-get install -y libedit-dev" >&2
  exit 1
}
echo "budgetq: libedit-dev installed" >&2
