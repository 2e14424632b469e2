/*
 * Lookups in the generated rpcgen_types[] table (see rpcgen_table.h).
 * Shared by harness-main.c and bench/c/codec-bench.c.
 */
#include <stdlib.h>
#include <string.h>

#include "rpcgen_table.h"

struct keyref {
    const char *s;
    size_t n;
};

static int cmp_key(const void *k, const void *e)
{
    const struct keyref *key = k;
    const struct rpcgen_type *t = e;
    int c = strncmp(key->s, t->key, key->n);
    if (c != 0)
        return c;
    return t->key[key->n] == '\0' ? 0 : -1;
}

const struct rpcgen_type *rpcgen_find_key(const char *key, size_t keylen)
{
    struct keyref k = { key, keylen };
    if (memchr(key, '\0', keylen))
        return NULL;
    return bsearch(&k, rpcgen_types, rpcgen_ntypes, sizeof(rpcgen_types[0]), cmp_key);
}

const struct rpcgen_type *rpcgen_find_name(const char *name)
{
    size_t i;
    for (i = 0; i < rpcgen_ntypes; i++)
        if (strcmp(rpcgen_types[i].key, name) == 0 || strcmp(rpcgen_types[i].type, name) == 0)
            return &rpcgen_types[i];
    return NULL;
}
