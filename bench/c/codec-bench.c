/*
 * codec-bench: time libvirt's rpcgen-generated XDR codecs (libtirpc xdrmem),
 * the C baseline for the TypeScript codecs.
 *
 *   codec-bench <type> <file> [--seconds S] [--iterations N] [--no-verify]
 *
 *   <type>   an rpcgen type name, bare ("remote_domain_get_xml_desc_ret") or
 *            qualified ("remote_protocol:remote_domain_get_xml_desc_ret");
 *            all 9 libvirt protocols are linked in
 *   <file>   the XDR bytes of ONE value of that type (a message payload,
 *            without the 4-byte length word and the virNetMessageHeader)
 *   --seconds S     target duration of EACH timed phase (default 1)
 *   --iterations N  run exactly N operations per phase instead
 *   --no-verify     do not require encode(decode(bytes)) == bytes
 *
 * Output, one JSON line on stdout:
 *   {"type":..., "protocol":..., "bytes":..., "decodeNsPerOp":...,
 *    "encodeNsPerOp":..., "decodeIterations":..., "encodeIterations":...,
 *    "roundTripIdentical":true|false, "impl":"rpcgen+libtirpc"}
 *
 * decode op  = memset(obj, 0) + xdrmem_create(XDR_DECODE) + xdr_<type>() +
 *              xdr_free()  (what libvirt does per message: the decoded value
 *              is fresh and its allocations are released)
 * encode op  = xdrmem_create(XDR_ENCODE) into a preallocated buffer +
 *              xdr_<type>() of one decoded value
 * Each phase: an untimed warm-up (10% of S, at most 0.25 s), then batches of
 * doubling size (until a batch takes >= 2 ms) until S seconds have elapsed;
 * ns/op = elapsed / operations.
 *
 * Build: node bench/c/build.mjs (prints the executable's path); -O2, the same
 * rpcgen output/stub headers as test/support/rpcgen-harness.ts.
 * Exit status: 0 ok, 1 decode/encode failure, 2 usage or I/O error.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpcgen_table.h"

static const struct rpcgen_type *T;
static char *in;
static u_int inlen;
static void *obj;    /* decode target (decode phase) */
static void *value;  /* one decoded value (encode phase) */
static char *out;
static u_int outcap;
static uint64_t failures;

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void op_decode(void)
{
    XDR x;
    memset(obj, 0, T->size);
    xdrmem_create(&x, in, inlen, XDR_DECODE);
    if (!T->fn(&x, obj))
        failures++;
    xdr_destroy(&x);
    xdr_free((xdrproc_t)T->fn, obj);
}

static void op_encode(void)
{
    XDR x;
    xdrmem_create(&x, out, outcap, XDR_ENCODE);
    if (!T->fn(&x, value))
        failures++;
    xdr_destroy(&x);
}

static void timed(void (*op)(void), double seconds, uint64_t fixed, uint64_t *iters, double *nsPerOp)
{
    double t0, el, warm = seconds * 0.1e9;
    uint64_t i, batch = 1, total = 0;

    if (warm > 0.25e9)
        warm = 0.25e9;
    if (fixed == 0) {
        t0 = now_ns();
        while (now_ns() - t0 < warm)
            for (i = 0; i < 16; i++)
                op();
    } else {
        op();
    }

    t0 = now_ns();
    if (fixed) {
        for (i = 0; i < fixed; i++)
            op();
        total = fixed;
        el = now_ns() - t0;
    } else {
        for (;;) {
            double b0 = now_ns(), bt;
            for (i = 0; i < batch; i++)
                op();
            total += batch;
            bt = now_ns() - b0;
            el = now_ns() - t0;
            if (el >= seconds * 1e9)
                break;
            if (bt < 2e6 && batch < (UINT64_C(1) << 40))
                batch *= 2;
        }
    }
    *iters = total;
    *nsPerOp = el / (double)total;
}

static int read_file(const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1 << 16, n = 0, k;
    char *buf;
    if (!f)
        return -1;
    buf = malloc(cap);
    while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            } else {
                buf = nb;
            }
        }
    }
    if (!buf || ferror(f)) {
        free(buf);
        fclose(f);
        errno = ENOMEM;
        return -1;
    }
    fclose(f);
    *data = buf;
    *len = n;
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: codec-bench <type> <file> [--seconds S] [--iterations N] [--no-verify]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *type = NULL, *file = NULL;
    double seconds = 1.0, decNs, encNs;
    uint64_t fixed = 0, decIters, encIters;
    int verify = 1, identical;
    size_t len;
    XDR x;
    u_int pos;
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
            char *end;
            seconds = strtod(argv[++i], &end);
            if (*end || !(seconds > 0))
                usage();
        } else if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) {
            char *end;
            fixed = strtoull(argv[++i], &end, 10);
            if (*end || fixed == 0)
                usage();
        } else if (strcmp(argv[i], "--no-verify") == 0) {
            verify = 0;
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            usage();
        } else if (!type) {
            type = argv[i];
        } else if (!file) {
            file = argv[i];
        } else {
            usage();
        }
    }
    if (!type || !file)
        usage();

    T = rpcgen_find_name(type);
    if (!T) {
        fprintf(stderr, "codec-bench: unknown type '%s'\n", type);
        return 2;
    }
    if (read_file(file, &in, &len) < 0) {
        fprintf(stderr, "codec-bench: cannot read %s: %s\n", file, strerror(errno));
        return 2;
    }
    if (len > 0x7fffffffu) {
        fprintf(stderr, "codec-bench: %s is too large\n", file);
        return 2;
    }
    inlen = (u_int)len;

    /* One checked decode/encode first. */
    obj = calloc(1, T->size);
    value = calloc(1, T->size);
    if (!obj || !value)
        return 2;
    xdrmem_create(&x, in, inlen, XDR_DECODE);
    if (!T->fn(&x, value)) {
        fprintf(stderr, "codec-bench: xdr_%s failed to decode %s (%u bytes)\n", T->type, file, inlen);
        return 1;
    }
    pos = xdr_getpos(&x);
    xdr_destroy(&x);
    if (pos != inlen) {
        fprintf(stderr, "codec-bench: xdr_%s consumed %u of %u bytes of %s\n", T->type, pos, inlen, file);
        return 1;
    }
    outcap = (u_int)xdr_sizeof((xdrproc_t)T->fn, value) + 64;
    if (outcap < inlen + 64)
        outcap = inlen + 64;
    out = malloc(outcap);
    if (!out)
        return 2;
    xdrmem_create(&x, out, outcap, XDR_ENCODE);
    if (!T->fn(&x, value)) {
        fprintf(stderr, "codec-bench: xdr_%s failed to re-encode the decoded value\n", T->type);
        return 1;
    }
    pos = xdr_getpos(&x);
    xdr_destroy(&x);
    identical = pos == inlen && memcmp(out, in, inlen) == 0;
    if (!identical) {
        fprintf(stderr, "codec-bench: warning: encode(decode(%s)) differs from the input (%u vs %u bytes)\n",
                file, pos, inlen);
        if (verify)
            return 1;
    }

    timed(op_decode, seconds, fixed, &decIters, &decNs);
    timed(op_encode, seconds, fixed, &encIters, &encNs);
    if (failures) {
        fprintf(stderr, "codec-bench: %llu operations failed in the timed loops\n", (unsigned long long)failures);
        return 1;
    }
    xdr_free((xdrproc_t)T->fn, value);

    printf("{\"type\":\"%s\",\"protocol\":\"%s\",\"bytes\":%u,\"decodeNsPerOp\":%.3f,\"encodeNsPerOp\":%.3f,"
           "\"decodeIterations\":%llu,\"encodeIterations\":%llu,\"roundTripIdentical\":%s,"
           "\"impl\":\"rpcgen+libtirpc\"}\n",
           T->type, T->protocol, inlen, decNs, encNs, (unsigned long long)decIters,
           (unsigned long long)encIters, identical ? "true" : "false");
    return 0;
}
