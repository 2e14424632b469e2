/*
 * The rpcgen-built C server of onc_demo.x: rpcgen -m's dispatchers (demo_svc.c) under libtirpc's
 * svc_run, on 127.0.0.1 over TCP and UDP with ephemeral ports, for a program number given on the
 * command line (so concurrent test runs do not collide). Prints "port <tcp> udp <udp>" once
 * ready. Not registered with rpcbind.
 *
 *   demo_server <program-number> [<send-size>]
 *
 * <send-size> is libtirpc's buffer size for replies (svctcp_create's sendsize): replies longer
 * than it go out in several record-marking fragments.
 */
#include "demo_common.h"
#include <stdio.h>
#include <rpc/rpc.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <signal.h>
#include <unistd.h>

void demo_prog_1(struct svc_req *rqstp, SVCXPRT *transp);
void demo_prog_2(struct svc_req *rqstp, SVCXPRT *transp);

int *demo_echo_1_svc(int *x, struct svc_req *r) {
  static int result;
  result = *x;
  return &result;
}

demo_add_result *demo_add_1_svc(demo_add_args *a, struct svc_req *r) {
  static demo_add_result result;
  xdr_free((xdrproc_t)xdr_demo_add_result, (char *)&result);
  memset(&result, 0, sizeof result);
  if (a->item.name[0] == 0) {
    result.code = 1;
    result.demo_add_result_u.message = strdup("empty name");
  } else {
    result.code = 0;
    result.demo_add_result_u.total = a->item.count * (a->replace ? 1 : 2);
  }
  return &result;
}

demo_lookup_result *demo_lookup_1_svc(demo_name *name, struct svc_req *r) {
  static demo_lookup_result result;
  int rating;
  xdr_free((xdrproc_t)xdr_demo_lookup_result, (char *)&result);
  memset(&result, 0, sizeof result);
  if ((*name)[0] == 0) {
    result.status = DEMO_BAD_NAME;
    result.demo_lookup_result_u.reason = strdup("empty");
  } else if (strcmp(*name, "missing") == 0) {
    result.status = DEMO_NOT_FOUND;
  } else {
    result.status = DEMO_FOUND;
    demo_item_for(&result.demo_lookup_result_u.item, *name, &rating);
  }
  return &result;
}

demo_inventory *demo_list_1_svc(void *v, struct svc_req *r) {
  static demo_inventory result;
  static const char *names[] = {"a", "bb", "ccc"};
  int rating;
  xdr_free((xdrproc_t)xdr_demo_inventory, (char *)&result);
  result.items.items_len = 3;
  result.items.items_val = calloc(3, sizeof(demo_item));
  for (int i = 0; i < 3; i++) demo_item_for(&result.items.items_val[i], names[i], &rating);
  result.revision = 7;
  return &result;
}

demo_chain *demo_chain_1_svc(int *n, struct svc_req *r) {
  static demo_chain result;
  int rating;
  xdr_free((xdrproc_t)xdr_demo_chain, (char *)&result);
  result = NULL;
  int count = *n > 50 ? 50 : *n;
  demo_node **tail = &result;
  for (int i = 0; i < count; i++) {
    char name[16];
    snprintf(name, sizeof name, "n%d", i);
    demo_node *node = calloc(1, sizeof *node);
    demo_item_for(&node->item, name, &rating);
    *tail = node;
    tail = &node->next;
  }
  return &result;
}

void *demo_reset_1_svc(void *v, struct svc_req *r) {
  static char dummy;
  return &dummy;
}

demo_stats *demo_stats_1_svc(demo_inventory *inv, struct svc_req *r) {
  static demo_stats result;
  xdr_free((xdrproc_t)xdr_demo_stats, (char *)&result);
  memset(&result, 0, sizeof result);
  u_int n = inv->items.items_len;
  result.items = n;
  double sum = 0;
  for (u_int i = 0; i < n; i++) sum += (double)inv->items.items_val[i].price;
  result.mean_price = n ? sum / n : 0;
  result.counts.counts_len = n > 16 ? 16 : n;
  result.counts.counts_val = calloc(result.counts.counts_len + 1, sizeof(u_int));
  for (u_int i = 0; i < result.counts.counts_len; i++)
    result.counts.counts_val[i] = inv->items.items_val[i].count;
  result.ratio = 0.5f;
  result.digest.digest_len = n;
  result.digest.digest_val = calloc(n + 1, 1);
  for (u_int i = 0; i < n; i++) result.digest.digest_val[i] = inv->items.items_val[i].tag[0];
  return &result;
}

int *demo_echo2_2_svc(int *x, struct svc_req *r) {
  static int result;
  result = 2 * *x;
  return &result;
}

int main(int argc, char **argv) {
  if (argc != 2 && argc != 3) {
    fprintf(stderr, "usage: %s <program-number> [<send-size>]\n", argv[0]);
    return 2;
  }
  unsigned long prog = strtoul(argv[1], NULL, 0);
  /* libtirpc sends replies with plain write(): a client that hangs up before the whole reply
   * is written would kill the server with SIGPIPE (and fail every later test using it).
   * Ignored, a dead connection costs only itself: the write fails with EPIPE and libtirpc
   * drops that connection. */
  signal(SIGPIPE, SIG_IGN);
  int sock = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(sock, (struct sockaddr *)&addr, sizeof addr) != 0) {
    perror("bind");
    return 1;
  }
  if (listen(sock, 128) != 0) {
    perror("listen");
    return 1;
  }
  socklen_t len = sizeof addr;
  getsockname(sock, (struct sockaddr *)&addr, &len);
  SVCXPRT *transp = svctcp_create(sock, argc == 3 ? atoi(argv[2]) : 0, 0);
  if (!transp) {
    fprintf(stderr, "cannot create tcp service\n");
    return 1;
  }
  /* protocol 0: do not register with rpcbind */
  if (!svc_register(transp, prog, DEMO_V1, demo_prog_1, 0) ||
      !svc_register(transp, prog, DEMO_V2, demo_prog_2, 0)) {
    fprintf(stderr, "unable to register program %lu\n", prog);
    return 1;
  }
  int usock = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in uaddr = {0};
  uaddr.sin_family = AF_INET;
  uaddr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t ulen = sizeof uaddr;
  if (bind(usock, (struct sockaddr *)&uaddr, sizeof uaddr) != 0 ||
      getsockname(usock, (struct sockaddr *)&uaddr, &ulen) != 0) {
    perror("bind udp");
    return 1;
  }
  SVCXPRT *utransp = svcudp_create(usock);
  if (!utransp || !svc_register(utransp, prog, DEMO_V1, demo_prog_1, 0) ||
      !svc_register(utransp, prog, DEMO_V2, demo_prog_2, 0)) {
    fprintf(stderr, "cannot create udp service\n");
    return 1;
  }
  printf("port %d udp %d\n", ntohs(addr.sin_port), ntohs(uaddr.sin_port));
  fflush(stdout);
  svc_run();
  return 1;
}
