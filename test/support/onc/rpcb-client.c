/*
 * A plain ONC RPC client (libtirpc) for tests: connects to 127.0.0.1:PORT over TCP (so it can
 * talk to rpcbind through a proxy) and calls rpcbind version 4's RPCBPROC_DUMP and
 * RPCBPROC_GETADDR (for rpcbind itself over tcp), printing the results:
 *   map PROG VERS NETID ADDR OWNER     (one per registration)
 *   getaddr ADDR
 * Build: gcc -o rpcb-client rpcb-client.c $(pkg-config --cflags --libs libtirpc)
 */
#include <arpa/inet.h>
#include <rpc/rpc.h>
#include <rpc/rpcb_prot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
    struct sockaddr_in a;
    struct netbuf nb;
    struct timeval tv = { 20, 0 };
    rpcblist_ptr list = NULL, p;
    rpcb arg;
    char *addr = NULL;
    CLIENT *c;
    int fd;

    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)atoi(argv[1]));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        perror("connect");
        return 2;
    }
    nb.maxlen = nb.len = sizeof a;
    nb.buf = &a;
    c = clnt_vc_create(fd, &nb, RPCBPROG, RPCBVERS4, 0, 0);
    if (!c) {
        clnt_pcreateerror("clnt_vc_create");
        return 2;
    }
    if (clnt_call(c, RPCBPROC_DUMP, (xdrproc_t)xdr_void, NULL,
                  (xdrproc_t)xdr_rpcblist_ptr, (caddr_t)&list, tv) != RPC_SUCCESS) {
        clnt_perror(c, "RPCBPROC_DUMP");
        return 1;
    }
    for (p = list; p; p = p->rpcb_next)
        printf("map %lu %lu %s %s %s\n", (unsigned long)p->rpcb_map.r_prog,
               (unsigned long)p->rpcb_map.r_vers, p->rpcb_map.r_netid,
               p->rpcb_map.r_addr, p->rpcb_map.r_owner);
    arg.r_prog = RPCBPROG;
    arg.r_vers = RPCBVERS4;
    arg.r_netid = "tcp";
    arg.r_addr = "";
    arg.r_owner = "";
    if (clnt_call(c, RPCBPROC_GETADDR, (xdrproc_t)xdr_rpcb, (caddr_t)&arg,
                  (xdrproc_t)xdr_wrapstring, (caddr_t)&addr, tv) != RPC_SUCCESS) {
        clnt_perror(c, "RPCBPROC_GETADDR");
        return 1;
    }
    printf("getaddr %s\n", addr);
    clnt_destroy(c);
    return 0;
}
