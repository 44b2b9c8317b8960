# Shared by the make targets: find or install uv, never download a Python build.
export UV_PYTHON_DOWNLOADS=never
export UV_LINK_MODE=${UV_LINK_MODE:-copy}
export UV_COMPILE_BYTECODE=${UV_COMPILE_BYTECODE:-1}

ensure_uv() {
  if command -v uv >/dev/null 2>&1; then
    UV=(uv)
  else
    if ! python3 -m uv --version >/dev/null 2>&1; then
      echo "installing uv (python3 -m pip install uv)" >&2
      python3 -m pip install --quiet --disable-pip-version-check uv >&2
    fi
    UV=(python3 -m uv)
  fi
}

apt_install() {
  # apt_install PACKAGE... : install Debian packages that are missing (as root, or with sudo)
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  echo "installing Debian packages: $*" >&2
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@" >&2
}
