/*
 * The rpcgen -N C client of onc_multi.x: rpcgen -N -l's stubs (multi_clnt.c), which take every
 * argument as a parameter of its own and send them one after the other.
 *
 *   multi_client <host> <port> <program-number>
 *       calls every procedure and prints the results, one line each, in a fixed format.
 */
#include "onc_multi.h"
#include <stdio.h>
#include <stdlib.h>
#include <inttypes.h>
#include <rpc/rpc.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>

static void fail(CLIENT *c, const char *what) {
  clnt_perror(c, what);
  exit(1);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s <host> <port> <program-number>\n", argv[0]);
    return 2;
  }
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(atoi(argv[2]));
  inet_pton(AF_INET, argv[1], &addr.sin_addr);
  int sock = RPC_ANYSOCK;
  CLIENT *c = clnttcp_create(&addr, strtoul(argv[3], NULL, 0), MULTI_V1, &sock, 0, 0);
  if (!c) {
    clnt_pcreateerror("clnttcp_create");
    return 1;
  }
  int *i = multi_add_1(40, -2, c);
  if (!i) fail(c, "add");
  printf("add %d\n", *i);

  u_int times[] = {0, 2, 9};
  for (int k = 0; k < 3; k++) {
    multi_text *t = multi_join_1("ab", "-", times[k], c);
    if (!t) fail(c, "join");
    printf("join %u [%s]\n", times[k], *t);
  }

  multi_pair p = {3, -7};
  for (int flip = 0; flip < 2; flip++) {
    multi_pair *m = multi_mix_1(p, (quad_t)1000, flip, c);
    if (!m) fail(c, "mix");
    printf("mix flip=%d a=%d b=%d\n", flip, m->a, m->b);
  }

  i = multi_sum_1(&p, 5, c);
  if (!i) fail(c, "sum");
  printf("sum pair %d\n", *i);
  i = multi_sum_1(NULL, 5, c);
  if (!i) fail(c, "sum");
  printf("sum null %d\n", *i);

  i = multi_neg_1(12, c);
  if (!i) fail(c, "neg");
  printf("neg %d\n", *i);

  if (!multi_ping_1(c)) fail(c, "ping");
  printf("ping ok\n");
  clnt_destroy(c);
  return 0;
}
