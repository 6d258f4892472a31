/* Bump allocation in chained blocks; see arena.h. */
#include "core/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct ch_arena_block {
    ch_arena_block *next;
    size_t used, size;
    max_align_t data[];
};

enum { ARENA_BLOCK = 16 * 1024 };

void *ch_arena_alloc(ch_arena *a, size_t size)
{
    size_t align = sizeof(max_align_t);
    size = (size + align - 1) / align * align;
    ch_arena_block *b = a->head;
    if (!b || b->size - b->used < size) {
        size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
        if (cap > SIZE_MAX - sizeof(*b))
            return NULL;
        b = malloc(sizeof(*b) + cap);
        if (!b)
            return NULL;
        b->size = cap;
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *ch_arena_strndup(ch_arena *a, const char *s, size_t n)
{
    char *p = ch_arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *ch_arena_strdup(ch_arena *a, const char *s)
{
    return ch_arena_strndup(a, s, strlen(s));
}

void *ch_arena_grow(ch_arena *a, void *old, size_t n, size_t cap, size_t elem)
{
    if (elem && cap > SIZE_MAX / elem)
        return NULL;
    void *p = ch_arena_alloc(a, cap * elem);
    if (p && n)
        memcpy(p, old, n * elem);
    return p;
}

void ch_arena_free(ch_arena *a)
{
    ch_arena_block *b = a->head;
    while (b) {
        ch_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

void *ch_arena_room(ch_arena *a, void *items, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap)
        return items;
    *cap = *cap ? *cap * 2 : 8;
    return ch_arena_grow(a, items, n, *cap, elem);
}
