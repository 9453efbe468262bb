#!/usr/bin/env bash
# One-step setup for qwen3-migrate on Debian/Ubuntu, then one of:
#   ./setup.sh demo [DIR]   install, build, create a demo workspace and migrate it (dashboard in a terminal)
#   ./setup.sh test         install, build and run the whole test suite (what CI runs)
#   ./setup.sh install      install and build only
#
# System packages (apt-get, as root or through sudo; skipped when already installed):
#   libfaiss-dev libopenblas-dev liblapack-dev  FAISS to build faiss-node against
#   python3-faiss python3-numpy                 the reference reader of the indexes (interop tests)
#   tmux                                        the end-to-end dashboard tests
#   g++ make python3                            node-gyp (better-sqlite3 and faiss-node build from source)
# Without root: ask an administrator for those packages, or build FAISS 1.7.x into /usr/local and
# run `npm install` yourself; see the README's "Installing without root".
set -euo pipefail
cd "$(dirname "$0")"

packages=(libfaiss-dev libopenblas-dev liblapack-dev python3-faiss python3-numpy tmux g++ make python3)

missing_packages() {
	local missing=()
	for package in "${packages[@]}"; do
		dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
	done
	echo "${missing[@]:-}"
}

install_system_packages() {
	command -v dpkg-query >/dev/null || { echo "setup: not a Debian/Ubuntu system; install FAISS (libfaiss), BLAS/LAPACK, python3-faiss and tmux by hand" >&2; return; }
	local missing
	missing=$(missing_packages)
	[ -z "$missing" ] && return
	echo "setup: installing Debian packages: $missing"
	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
			sudo=(sudo)
		else
			echo "setup: these packages are missing and this user cannot install them: $missing" >&2
			echo "setup: ask an administrator to run: apt-get install -y $missing" >&2
			exit 1
		fi
	fi
	# shellcheck disable=SC2086
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	# shellcheck disable=SC2086
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

install_node_packages() {
	# onnxruntime-node's own install script downloads CUDA binaries from outside the npm registry;
	# the CPU binaries are bundled. GPU users: ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node
	export ONNXRUNTIME_NODE_INSTALL="${ONNXRUNTIME_NODE_INSTALL:-skip}"
	export QWEN3_MIGRATE_REQUIRE_FAISS=1
	if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
		echo "setup: npm ci (better-sqlite3 and faiss-node build from source: a minute or two)"
		npm ci --no-audit --no-fund
	fi
	npm run --silent build
}

install_system_packages
install_node_packages

case "${1:-install}" in
	demo)
		directory="${2:-.demo/workspace-$(date +%Y%m%d-%H%M%S)}"
		exec node dist/cli.js demo "$directory"
		;;
	test)
		exec npm test
		;;
	install)
		echo "setup: done. Try: node dist/cli.js --help"
		;;
	*)
		echo "usage: ./setup.sh [demo [DIR] | test | install]" >&2
		exit 2
		;;
esac
