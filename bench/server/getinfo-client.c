/*
 * Server benchmark client: libvirt's own C client library (Debian's libvirt-dev) calling
 * virDomainGetInfo on domain "test" as fast as it can, for a fixed time.
 *
 *   getinfo-client URI SECONDS THREADS [shared|own]
 *     shared: all threads share one virConnect (libvirt multiplexes calls on one socket)
 *     own:    each thread opens its own connection
 *   prints one JSON line: {"threads":T,"mode":"own","calls":N,"seconds":S,"callsPerSec":R}
 *
 * Build: gcc -O2 -o getinfo-client getinfo-client.c $(pkg-config --cflags --libs libvirt) -lpthread
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../c/clock.h"

static const char *uri;
static double seconds;
static virConnectPtr shared_conn;
static volatile int go;

struct worker {
    pthread_t thread;
    long calls;
    int failed;
};

static void quiet(void *opaque, virErrorPtr err)
{
    (void)opaque;
    (void)err;
}

static void *run(void *arg)
{
    struct worker *w = arg;
    virConnectPtr conn = shared_conn ? shared_conn : virConnectOpen(uri);
    virDomainPtr dom;
    virDomainInfo info;
    double end;

    if (!conn || !(dom = virDomainLookupByName(conn, "test"))) {
        w->failed = 1;
        return NULL;
    }
    while (!go)
        ;
    end = now() + seconds;
    while (now() < end) {
        /* 64 calls between clock reads keep clock_gettime out of the measurement. */
        for (int i = 0; i < 64; i++) {
            if (virDomainGetInfo(dom, &info) < 0) {
                w->failed = 1;
                goto done;
            }
        }
        w->calls += 64;
    }
 done:
    virDomainFree(dom);
    if (!shared_conn)
        virConnectClose(conn);
    return NULL;
}

int main(int argc, char **argv)
{
    int threads;
    int own;
    struct worker *ws;
    long total = 0;
    int failed = 0;
    double t0, t1;

    if (argc < 4) {
        fprintf(stderr, "usage: %s URI SECONDS THREADS [shared|own]\n", argv[0]);
        return 2;
    }
    uri = argv[1];
    seconds = atof(argv[2]);
    threads = atoi(argv[3]);
    own = argc > 4 && strcmp(argv[4], "own") == 0;
    virSetErrorFunc(NULL, quiet);
    if (!own && !(shared_conn = virConnectOpen(uri))) {
        fprintf(stderr, "cannot connect to %s\n", uri);
        return 1;
    }
    ws = calloc(threads, sizeof(*ws));
    for (int i = 0; i < threads; i++)
        pthread_create(&ws[i].thread, NULL, run, &ws[i]);
    /* Let every thread connect and look the domain up before the clock starts. */
    {
        struct timespec pause = { 0, 200 * 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
    t0 = now();
    go = 1;
    for (int i = 0; i < threads; i++) {
        pthread_join(ws[i].thread, NULL);
        total += ws[i].calls;
        failed |= ws[i].failed;
    }
    t1 = now();
    if (shared_conn)
        virConnectClose(shared_conn);
    if (failed) {
        virErrorPtr e = virGetLastError();
        fprintf(stderr, "a call failed: %s\n", e && e->message ? e->message : "?");
        return 1;
    }
    printf("{\"threads\":%d,\"mode\":\"%s\",\"calls\":%ld,\"seconds\":%.3f,\"callsPerSec\":%.0f}\n",
           threads, own ? "own" : "shared", total, t1 - t0, total / (t1 - t0));
    free(ws);
    return 0;
}
