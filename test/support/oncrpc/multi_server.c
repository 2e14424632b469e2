/*
 * The rpcgen -N C server of onc_multi.x: rpcgen -N -m's dispatcher (multi_svc.c) calls these
 * with every argument as a parameter of its own. Serves a program number given on the command
 * line on 127.0.0.1 over TCP (ephemeral port, printed as "port <n>"), not registered with rpcbind.
 */
#include "onc_multi.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rpc/rpc.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <signal.h>

/* The dispatcher rpcgen -m writes (multi_svc.c) without declaring it in the header. */
void multi_prog_1(struct svc_req *rqstp, SVCXPRT *transp);

int *multi_add_1_svc(int a, int b, struct svc_req *r) {
  static int result;
  result = a + b;
  return &result;
}

multi_text *multi_join_1_svc(multi_text left, multi_text right, u_int times, struct svc_req *r) {
  static char buf[MULTI_TEXT_MAX + 1];
  static multi_text result;
  if (times > 3) times = 3;
  buf[0] = 0;
  for (u_int i = 0; i < times; i++)
    if (strlen(buf) + strlen(left) + strlen(right) <= MULTI_TEXT_MAX) {
      strcat(buf, left);
      strcat(buf, right);
    }
  result = buf;
  return &result;
}

multi_pair *multi_mix_1_svc(multi_pair p, quad_t shift, bool_t flip, struct svc_req *r) {
  static multi_pair result;
  result.a = (flip ? p.b : p.a) + (int)shift;
  result.b = flip ? p.a : p.b;
  return &result;
}

int *multi_sum_1_svc(multi_opt_pair p, int k, struct svc_req *r) {
  static int result;
  result = p ? (p->a + p->b) * k : -k;
  return &result;
}

int *multi_neg_1_svc(int x, struct svc_req *r) {
  static int result;
  result = -x;
  return &result;
}

void *multi_ping_1_svc(struct svc_req *r) {
  static char dummy;
  return &dummy;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s <program-number>\n", argv[0]);
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
  if (bind(sock, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(sock, 16) != 0) {
    perror("bind/listen");
    return 1;
  }
  socklen_t len = sizeof addr;
  getsockname(sock, (struct sockaddr *)&addr, &len);
  SVCXPRT *transp = svctcp_create(sock, 0, 0);
  /* protocol 0: do not register with rpcbind */
  if (!transp || !svc_register(transp, prog, MULTI_V1, multi_prog_1, 0)) {
    fprintf(stderr, "unable to serve program %lu\n", prog);
    return 1;
  }
  printf("port %d\n", ntohs(addr.sin_port));
  fflush(stdout);
  svc_run();
  return 1;
}
