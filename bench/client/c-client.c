/*
 * libvirt's own C client, for bench/client/run.mjs: N threads call virDomainGetInfo on domain
 * "test" in a loop for a fixed time, then print one JSON line (calls, seconds, calls per second,
 * and the process's CPU seconds over that time).
 *
 *   c-client URI THREADS SECONDS shared|own
 *
 * shared: one virConnectPtr for all threads (one socket; libvirt's client multiplexes the
 *         threads' calls on it, as the TypeScript client does with its calls in flight);
 * own:    one virConnectPtr (socket) per thread.
 * Build: gcc -O2 c-client.c $(pkg-config --cflags --libs libvirt) -lpthread
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "../c/clock.h"

static const char *uri;
static atomic_int go;
static atomic_int stop;
static virConnectPtr shared;

struct worker {
    pthread_t tid;
    virConnectPtr conn;
    virDomainPtr dom;
    long calls;
    int failed;
};

static void *run(void *opaque)
{
    struct worker *w = opaque;
    virDomainInfo info;
    while (!atomic_load(&go))
        ;
    while (!atomic_load(&stop)) {
        if (virDomainGetInfo(w->dom, &info) < 0) {
            w->failed = 1;
            break;
        }
        w->calls++;
    }
    return NULL;
}

static void quiet(void *opaque, virErrorPtr err) { (void)opaque; (void)err; }

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s URI THREADS SECONDS shared|own\n", argv[0]);
        return 2;
    }
    uri = argv[1];
    int n = atoi(argv[2]);
    double seconds = atof(argv[3]);
    int own = strcmp(argv[4], "own") == 0;
    virSetErrorFunc(NULL, quiet);

    struct worker *ws = calloc(n, sizeof(*ws));
    if (!own && !(shared = virConnectOpen(uri))) {
        fprintf(stderr, "cannot connect to %s: %s\n", uri, virGetLastErrorMessage());
        return 1;
    }
    for (int i = 0; i < n; i++) {
        ws[i].conn = own ? virConnectOpen(uri) : shared;
        if (!ws[i].conn || !(ws[i].dom = virDomainLookupByName(ws[i].conn, "test"))) {
            fprintf(stderr, "setup failed: %s\n", virGetLastErrorMessage());
            return 1;
        }
        pthread_create(&ws[i].tid, NULL, run, &ws[i]);
    }
    double t0 = now();
    double cpu0 = cpu_seconds();
    atomic_store(&go, 1);
    struct timespec d = { (time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9) };
    nanosleep(&d, NULL);
    atomic_store(&stop, 1);
    long calls = 0;
    int failed = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(ws[i].tid, NULL);
        calls += ws[i].calls;
        failed |= ws[i].failed;
    }
    double elapsed = now() - t0;
    double cpu = cpu_seconds() - cpu0;
    printf("{\"calls\":%ld,\"seconds\":%.6f,\"callsPerSecond\":%.1f,\"cpuSeconds\":%.6f,\"failed\":%s}\n", calls, elapsed, calls / elapsed, cpu, failed ? "true" : "false");
    for (int i = 0; i < n; i++) {
        virDomainFree(ws[i].dom);
        if (own)
            virConnectClose(ws[i].conn);
    }
    if (!own)
        virConnectClose(shared);
    return failed;
}
