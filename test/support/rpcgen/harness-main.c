/*
 * rpcgen reference harness: decode bytes with rpcgen's xdr_<type> over an
 * xdrmem stream (libtirpc), re-encode the decoded C value, return the bytes.
 *
 * Linked with the rpcgen `-c` output of the libvirt .x files and a generated
 * type table (rpcgen_table.c); built and driven by
 * test/support/rpcgen/build.mjs and test/support/rpcgen-harness.ts.
 *
 * Wire format on stdin/stdout (all integers u32 little-endian):
 *
 *   request batch : n, then n items of { keylen, key[keylen], len, bytes[len] }
 *                   where key = "<protocol>:<type>"
 *   response item : status(u8: 0 = ok, 1 = error), len, payload[len]
 *                   payload = re-encoded bytes (ok) or a UTF-8 message (error)
 *
 * Responses are written (and flushed) one per item, in request order, so a
 * driver can tell exactly which item a crash happened on. EOF on stdin at a
 * batch boundary exits 0.
 *
 * For each item:
 *   1. obj = calloc(1, sizeof(type))
 *   2. xdrmem_create(XDR_DECODE) over a private copy of the bytes; xdr_<type>()
 *      -> failure: xdr_free() + error "decode failed ..."
 *   3. xdr_getpos() must equal the input length, else error (trailing bytes)
 *   4. xdrmem_create(XDR_ENCODE) into a buffer; xdr_<type>() -> output bytes
 *      (if the buffer was too small, retry with xdr_sizeof())
 *   5. xdr_free(xdr_<type>, obj); free(obj)
 *
 * The process limits its address space (RLIMIT_AS, default 2 GiB; override
 * with RPCGEN_HARNESS_MEM_MB) so that absurd array counts make calloc() fail
 * (-> decode error) instead of exhausting the machine.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "rpcgen_table.h"

static int read_full(void *buf, size_t n)
{
    return n == 0 || fread(buf, 1, n, stdin) == n;
}

/* 1 = ok, 0 = clean EOF before the first byte, -1 = truncated */
static int read_u32(uint32_t *v, int eof_ok)
{
    unsigned char b[4];
    size_t got = fread(b, 1, 4, stdin);
    if (got == 0 && eof_ok && feof(stdin))
        return 0;
    if (got != 4)
        return -1;
    *v = (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
    return 1;
}

static void write_response(int status, const void *data, uint32_t len)
{
    unsigned char h[5];
    h[0] = (unsigned char)status;
    h[1] = (unsigned char)(len & 0xff);
    h[2] = (unsigned char)((len >> 8) & 0xff);
    h[3] = (unsigned char)((len >> 16) & 0xff);
    h[4] = (unsigned char)((len >> 24) & 0xff);
    if (fwrite(h, 1, 5, stdout) != 5 || (len && fwrite(data, 1, len, stdout) != len) ||
        fflush(stdout) != 0) {
        fprintf(stderr, "rpcgen-harness: write to stdout failed: %s\n", strerror(errno));
        exit(3);
    }
}

static void write_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void write_error(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    write_response(1, msg, (uint32_t)strlen(msg));
}

static void process(const struct rpcgen_type *t, const char *key, unsigned char *in, uint32_t len)
{
    XDR xdrs;
    void *obj;
    bool_t ok;
    u_int pos;
    size_t cap;
    char *out;

    if (t == NULL) {
        write_error("unknown type '%s'", key);
        return;
    }
    obj = calloc(1, t->size);
    if (obj == NULL) {
        write_error("out of memory allocating %zu bytes for %s", t->size, t->type);
        return;
    }

    xdrmem_create(&xdrs, (char *)in, len, XDR_DECODE);
    ok = t->fn(&xdrs, obj);
    pos = xdr_getpos(&xdrs);
    xdr_destroy(&xdrs);
    if (!ok) {
        xdr_free((xdrproc_t)t->fn, obj);
        free(obj);
        write_error("xdr_%s: decode failed (stream position %u of %u)", t->type, pos, len);
        return;
    }
    if (pos != len) {
        xdr_free((xdrproc_t)t->fn, obj);
        free(obj);
        write_error("xdr_%s: decode consumed %u of %u bytes (trailing data)", t->type, pos, len);
        return;
    }

    cap = (size_t)len + 1024;
    for (;;) {
        out = malloc(cap);
        if (out == NULL) {
            xdr_free((xdrproc_t)t->fn, obj);
            free(obj);
            write_error("out of memory allocating %zu-byte encode buffer", cap);
            return;
        }
        xdrmem_create(&xdrs, out, (u_int)cap, XDR_ENCODE);
        ok = t->fn(&xdrs, obj);
        pos = xdr_getpos(&xdrs);
        xdr_destroy(&xdrs);
        if (ok)
            break;
        free(out);
        {
            unsigned long need = xdr_sizeof((xdrproc_t)t->fn, obj);
            if (need <= cap || need > 0xffffffffUL) {
                xdr_free((xdrproc_t)t->fn, obj);
                free(obj);
                write_error("xdr_%s: re-encode of the decoded value failed (xdr_sizeof=%lu)", t->type,
                            need);
                return;
            }
            cap = need;
        }
    }
    xdr_free((xdrproc_t)t->fn, obj);
    free(obj);
    write_response(0, out, pos);
    free(out);
}

int main(void)
{
    static char outbuf[1 << 16];
    const char *mem = getenv("RPCGEN_HARNESS_MEM_MB");
    unsigned long mb = mem && *mem ? strtoul(mem, NULL, 10) : 2048;
    if (mb > 0) {
        struct rlimit rl;
        rl.rlim_cur = rl.rlim_max = (rlim_t)mb << 20;
        setrlimit(RLIMIT_AS, &rl); /* best effort */
    }
    setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));

    for (;;) {
        uint32_t n, i;
        int r = read_u32(&n, 1);
        if (r == 0)
            return 0;
        if (r < 0)
            goto truncated;
        for (i = 0; i < n; i++) {
            uint32_t keylen, len;
            char *key;
            unsigned char *in;
            if (read_u32(&keylen, 0) != 1 || keylen > 4096)
                goto truncated;
            key = malloc((size_t)keylen + 1);
            if (key == NULL) {
                fprintf(stderr, "rpcgen-harness: out of memory\n");
                return 4;
            }
            if (!read_full(key, keylen))
                goto truncated;
            key[keylen] = '\0';
            if (read_u32(&len, 0) != 1)
                goto truncated;
            /* private, malloc-aligned copy: xdrmem reads 32-bit words from it */
            in = malloc((size_t)len + 4);
            if (in == NULL) {
                fprintf(stderr, "rpcgen-harness: out of memory for %u input bytes\n", len);
                return 4;
            }
            if (!read_full(in, len))
                goto truncated;
            process(rpcgen_find_key(key, keylen), key, in, len);
            free(in);
            free(key);
        }
    }

truncated:
    fprintf(stderr, "rpcgen-harness: truncated or malformed request on stdin\n");
    return 2;
}
