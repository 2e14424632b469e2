/* Shared by the C server and client of onc_demo.x (test/fixtures/oncrpc/onc_demo.x). */
#ifndef DEMO_COMMON_H
#define DEMO_COMMON_H
#include "onc_demo.h"
#include <string.h>
#include <stdlib.h>

/* demo_item_for(name), as written at the end of onc_demo.x. `name` is copied. */
static inline void demo_item_for(demo_item *it, const char *name, int *rating_store) {
  size_t n = strlen(name);
  it->name = strdup(name);
  it->count = (u_int)n;
  it->price = -1000 * (quad_t)n;
  it->color = (demo_color)(n % 3);
  it->tag[0] = 't';
  it->tag[1] = 'a';
  it->tag[2] = 'g';
  it->tag[3] = n ? name[0] : 0;
  if (n % 2) {
    *rating_store = (int)n;
    it->rating = malloc(sizeof(int));
    *it->rating = (int)n;
  } else {
    it->rating = NULL;
  }
}
#endif
