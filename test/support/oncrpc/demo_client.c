/*
 * The rpcgen-built C client of onc_demo.x: rpcgen -l's stubs (demo_clnt.c) over libtirpc.
 *
 *   demo_client <host> <port> <program-number> script
 *       calls every procedure and prints the results, one line each, in a fixed format;
 *   demo_client <host> <port> <program-number> bench <seconds> <threads>
 *       each thread calls DEMO_ECHO on a connection of its own for <seconds>; prints
 *       "calls <total> seconds <elapsed>".
 */
#include "demo_common.h"
#include <stdio.h>
#include <inttypes.h>
#include <pthread.h>
#include <time.h>
#include <rpc/rpc.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>

static const char *host;
static int port;
static unsigned long prog;

static CLIENT *connect_client(unsigned long vers) {
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, host, &addr.sin_addr);
  int sock = RPC_ANYSOCK;
  CLIENT *c = clnttcp_create(&addr, prog, vers, &sock, 0, 0);
  if (!c) {
    clnt_pcreateerror("clnttcp_create");
    exit(1);
  }
  return c;
}

static void print_item(const demo_item *it) {
  printf("{name=%s count=%u price=%" PRId64 " color=%d tag=%d,%d,%d,%d rating=", it->name, it->count,
         (int64_t)it->price, (int)it->color, it->tag[0], it->tag[1], it->tag[2], it->tag[3]);
  if (it->rating)
    printf("%d}", *it->rating);
  else
    printf("null}");
}

static void fail(CLIENT *c, const char *what) {
  clnt_perror(c, what);
  exit(1);
}

static int script(void) {
  CLIENT *c = connect_client(DEMO_V1);
  int x = -42;
  int *e = demo_echo_1(&x, c);
  if (!e) fail(c, "echo");
  printf("echo %d\n", *e);

  int rating = 3;
  demo_add_args add = {0};
  add.item.name = "widget";
  add.item.count = 21;
  add.item.price = -5;
  add.item.color = DEMO_BLUE;
  memcpy(add.item.tag, "abcd", 4);
  add.item.rating = &rating;
  add.replace = 0;
  demo_add_result *ar = demo_add_1(&add, c);
  if (!ar) fail(c, "add");
  printf("add code=%d total=%u\n", ar->code, ar->demo_add_result_u.total);
  add.item.name = "";
  ar = demo_add_1(&add, c);
  if (!ar) fail(c, "add");
  printf("add code=%d message=%s\n", ar->code, ar->demo_add_result_u.message);

  const char *names[] = {"", "missing", "abc", "abcd"};
  for (int i = 0; i < 4; i++) {
    demo_name n = (char *)names[i];
    demo_lookup_result *lr = demo_lookup_1(&n, c);
    if (!lr) fail(c, "lookup");
    printf("lookup %s status=%d ", names[i], (int)lr->status);
    if (lr->status == DEMO_FOUND) print_item(&lr->demo_lookup_result_u.item);
    if (lr->status == DEMO_BAD_NAME) printf("reason=%s", lr->demo_lookup_result_u.reason);
    printf("\n");
  }

  demo_inventory *inv = demo_list_1(NULL, c);
  if (!inv) fail(c, "list");
  printf("list revision=%" PRIu64 " items=", (uint64_t)inv->revision);
  for (u_int i = 0; i < inv->items.items_len; i++) print_item(&inv->items.items_val[i]);
  printf("\n");

  demo_stats *st = demo_stats_1(inv, c);
  if (!st) fail(c, "stats");
  printf("stats items=%" PRIu64 " mean=%g ratio=%g counts=", (uint64_t)st->items, st->mean_price,
         (double)st->ratio);
  for (u_int i = 0; i < st->counts.counts_len; i++) printf("%u,", st->counts.counts_val[i]);
  printf(" digest=");
  for (u_int i = 0; i < st->digest.digest_len; i++) printf("%d,", st->digest.digest_val[i]);
  printf("\n");

  int counts[] = {0, 3};
  for (int i = 0; i < 2; i++) {
    demo_chain *ch = demo_chain_1(&counts[i], c);
    if (!ch) fail(c, "chain");
    printf("chain %d:", counts[i]);
    for (demo_node *n = *ch; n; n = n->next) {
      printf(" ");
      print_item(&n->item);
    }
    printf("\n");
  }

  if (!demo_reset_1(NULL, c)) fail(c, "reset");
  printf("reset ok\n");
  clnt_destroy(c);

  CLIENT *c2 = connect_client(DEMO_V2);
  x = 21;
  e = demo_echo2_2(&x, c2);
  if (!e) fail(c2, "echo2");
  printf("echo2 %d\n", *e);
  clnt_destroy(c2);
  return 0;
}

static double seconds;
static long totals[64];

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *bench_thread(void *arg) {
  long i = (long)arg;
  CLIENT *c = connect_client(DEMO_V1);
  double end = now() + seconds;
  long n = 0;
  int x = 1;
  while ((n & 63) || now() < end) {
    if (!demo_echo_1(&x, c)) fail(c, "echo");
    n++;
  }
  totals[i] = n;
  clnt_destroy(c);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s <host> <port> <program> script|bench <seconds> <threads>\n", argv[0]);
    return 2;
  }
  host = argv[1];
  port = atoi(argv[2]);
  prog = strtoul(argv[3], NULL, 0);
  if (strcmp(argv[4], "script") == 0) return script();
  if (strcmp(argv[4], "bench") == 0 && argc == 7) {
    seconds = atof(argv[5]);
    int threads = atoi(argv[6]);
    if (threads < 1 || threads > 64) return 2;
    pthread_t t[64];
    double t0 = now();
    for (long i = 0; i < threads; i++) pthread_create(&t[i], NULL, bench_thread, (void *)i);
    long total = 0;
    for (int i = 0; i < threads; i++) {
      pthread_join(t[i], NULL);
      total += totals[i];
    }
    printf("calls %ld seconds %.6f\n", total, now() - t0);
    return 0;
  }
  return 2;
}
