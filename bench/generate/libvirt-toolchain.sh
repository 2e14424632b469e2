#!/bin/sh
# libvirt 9.0.0's own code generation for remote_protocol.x, as its meson
# build runs it (src/remote/meson.build, src/access/meson.build), one step
# after another. Timed as one unit per round by bench/generate/run.mjs.
#
#   libvirt-toolchain.sh <libvirt-source-dir> <out-dir> [rpcgen]
#
# <libvirt-source-dir> holds src/rpc/genprotocol.pl, src/rpc/gendispatch.pl and
# src/remote/remote_protocol.x (bench/lib/libvirt-source.mjs extracts them).
# Outputs go to <out-dir> under the names meson gives them; the generators'
# stderr (gendispatch's --mode=debug prints perl warnings) to <out-dir>/stderr.log.
set -eu
SRC=$1
OUT=$2
RPCGEN=${3:-rpcgen}
GENPROTOCOL=src/rpc/genprotocol.pl
GENDISPATCH=src/rpc/gendispatch.pl
X=src/remote/remote_protocol.x

cd "$SRC"
exec 2>"$OUT/stderr.log"

# src/remote/meson.build: protocol header and XDR routines (rpcgen + fixups)
perl $GENPROTOCOL "$RPCGEN" -h $X "$OUT/remote_protocol.h"
perl $GENPROTOCOL "$RPCGEN" -c $X "$OUT/remote_protocol.c"
# src/remote/meson.build: client bodies and server dispatch stubs
perl $GENDISPATCH --mode=client remote REMOTE $X >"$OUT/remote_client_bodies.h"
perl $GENDISPATCH --mode=server remote REMOTE $X >"$OUT/remote_daemon_dispatch_stubs.h"
# src/access/meson.build: ACL checks
perl $GENDISPATCH --mode=aclheader remote REMOTE $X >"$OUT/viraccessapicheck.h"
perl $GENDISPATCH --mode=aclbody remote REMOTE $X viraccessapicheck.h >"$OUT/viraccessapicheck.c"
perl $GENDISPATCH --mode=aclsym remote REMOTE $X >"$OUT/libvirt_access.syms"
# gendispatch's default mode (not used by meson): a dump of the parsed calls
perl $GENDISPATCH --mode=debug remote REMOTE $X >"$OUT/remote_debug.txt"
