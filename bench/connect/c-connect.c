/*
 * libvirt's own C client, for bench/connect/run.mjs: for a fixed time, open a connection
 * (virConnectOpenAuth: socket, authentication, open), make one virConnectGetVersion call and
 * close it, sequentially; then print one JSON line (connections, seconds, connections per
 * second, and the process's CPU seconds over that time).
 *
 *   c-connect URI SECONDS [USER PASSWORD]
 *
 * Credentials, when given, come from a virConnectAuth callback (as an application would).
 * Build: gcc -O2 c-connect.c $(pkg-config --cflags --libs libvirt)
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "../c/clock.h"

static const char *user;
static const char *password;

static int fill(virConnectCredentialPtr cred, unsigned int ncred, void *opaque)
{
    (void)opaque;
    for (unsigned int i = 0; i < ncred; i++) {
        const char *v = NULL;
        switch (cred[i].type) {
        case VIR_CRED_AUTHNAME:
        case VIR_CRED_USERNAME:
            v = user;
            break;
        case VIR_CRED_PASSPHRASE:
            v = password;
            break;
        default:
            v = cred[i].defresult ? cred[i].defresult : "";
        }
        cred[i].result = strdup(v);
        cred[i].resultlen = strlen(v);
    }
    return 0;
}

static int credtypes[] = {VIR_CRED_AUTHNAME, VIR_CRED_USERNAME, VIR_CRED_PASSPHRASE, VIR_CRED_REALM};
static virConnectAuth auth = {credtypes, sizeof(credtypes) / sizeof(credtypes[0]), fill, NULL};

static void quiet(void *opaque, virErrorPtr err) { (void)opaque; (void)err; }

/** One connection: open (with authentication), one call, close. 0 on success. */
static int once(const char *uri)
{
    virConnectPtr c = virConnectOpenAuth(uri, &auth, 0);
    if (!c)
        return -1;
    unsigned long version;
    int rc = virConnectGetVersion(c, &version);
    if (virConnectClose(c) < 0)
        rc = -1;
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 5) {
        fprintf(stderr, "usage: %s URI SECONDS [USER PASSWORD]\n", argv[0]);
        return 2;
    }
    const char *uri = argv[1];
    double seconds = atof(argv[2]);
    user = argc == 5 ? argv[3] : "";
    password = argc == 5 ? argv[4] : "";
    virSetErrorFunc(NULL, quiet);
    if (virInitialize() < 0)
        return 1;

    /* Warm-up (not counted), like the TypeScript side. */
    for (double end = now() + 0.5; now() < end;)
        if (once(uri) < 0) {
            virErrorPtr e = virGetLastError();
            fprintf(stderr, "c-connect: %s\n", e && e->message ? e->message : "failed");
            return 1;
        }

    long n = 0;
    int failed = 0;
    double cpu0 = cpu_seconds();
    double t0 = now(), end = t0 + seconds, t;
    while ((t = now()) < end) {
        if (once(uri) < 0) {
            failed = 1;
            break;
        }
        n++;
    }
    double elapsed = now() - t0;
    double cpu = cpu_seconds() - cpu0;
    printf("{\"connections\":%ld,\"seconds\":%.4f,\"connectionsPerSecond\":%.1f,\"cpuSeconds\":%.4f,\"failed\":%s}\n",
           n, elapsed, n / elapsed, cpu, failed ? "true" : "false");
    return failed;
}
