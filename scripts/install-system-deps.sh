#!/usr/bin/env bash
# Install the system packages the test-suite needs on Debian 12 (bookworm).
#
#   sudo scripts/install-system-deps.sh
#
# Idempotent: if every package is already installed, no apt work is done.
#
# Why these packages:
#   libvirt-daemon   libvirtd. Its connection-driver modules are not needed: the
#                    tests start libvirtd with LIBVIRT_DRIVER_DIR=<empty dir>, and
#                    the "test" hypervisor driver is built into libvirt0
#                    (pulled in as a dependency), as is the remote driver.
#   libvirt-clients  virsh (talks to the test driver via test+unix://...).
#   libvirt-dev      libvirt headers + pkg-config file (C interop tests).
#   rpcsvc-proto     rpcgen (reference XDR code generation).
#   libtirpc-dev     <rpc/xdr.h> for compiling rpcgen output with glibc >= 2.32.
#   gcc libc6-dev pkg-config   compiling the reference C code.
#   xz-utils         tar -xJf of libvirt_9.0.0.orig.tar.xz (scripts/fetch-protocol.mjs).
#   ca-certificates  HTTPS apt mirrors / npm.
#   dwarves          pdwtags (libvirt's own structs check, compared with ours).
#   rpcbind          the portmapper our ONC-RPC client queries and our server registers with.
#   openssh-server openssh-client netcat-openbsd   +ssh transports against a real sshd on 127.0.0.1.
#   sasl2-bin libsasl2-modules libsasl2-dev        saslpasswd2 and the SCRAM/DIGEST-MD5 mechanisms.
#   gnutls-bin openssl   test certificates for +tls.
#   tshark libvirt-wireshark   Wireshark's libvirt dissector, compared with our decoder.
#   chromium         headless browser for the generated protocol reference page.
#   socat            a C forwarder: the floor of any proxy in bench:trace.
# Nothing else is required for libvirtd's test driver: no systemd, dbus or
# polkit (auth_unix_* = "none"), and no recommended packages (qemu etc.).
set -euo pipefail

PACKAGES=(
  libvirt-daemon
  libvirt-clients
  libvirt-dev
  rpcsvc-proto
  libtirpc-dev
  gcc
  libc6-dev
  pkg-config
  xz-utils
  ca-certificates
  dwarves
  rpcbind
  openssh-server
  openssh-client
  netcat-openbsd
  sasl2-bin
  libsasl2-modules
  libsasl2-dev
  gnutls-bin
  openssl
  tshark
  libvirt-wireshark
  chromium
  socat
)

log() { printf 'install-system-deps: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script supports Debian 12 (bookworm) only"

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
  [[ $status == ii* ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  log "all ${#PACKAGES[@]} packages already installed; skipping apt"
else
  log "missing: ${missing[*]}"
  SUDO=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "must run as root (or have sudo) to install: ${missing[*]}"
    SUDO=(sudo)
  fi
  "${SUDO[@]}" apt-get update
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${PACKAGES[@]}"
fi

# Sanity checks: the binaries and pkg-config modules the tests rely on.
for bin in libvirtd virsh rpcgen gcc pkg-config xz tar; do
  command -v "$bin" >/dev/null 2>&1 || [[ -x /usr/sbin/$bin ]] || die "'$bin' not found after install"
done
pkg-config --exists libvirt libtirpc || die "pkg-config cannot find libvirt and/or libtirpc"
# virsh with the in-process test driver (no daemon needed) proves libvirt0 has it.
virsh -q -c test:///default domstate test >/dev/null 2>&1 || die "virsh cannot use the built-in test driver (test:///default)"
log "ok: libvirt $(pkg-config --modversion libvirt), $(rpcgen --version 2>&1 | head -n1 || true)"
