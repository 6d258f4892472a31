/* A bump allocator: everything a loaded policy owns lives in one arena and is
 * released at once, so the loader never has to unwind half-built structures. */
#ifndef CH_ARENA_H
#define CH_ARENA_H

#include <stddef.h>

typedef struct ch_arena_block ch_arena_block;

typedef struct ch_arena {
    ch_arena_block *head;
} ch_arena;

/* Returns zeroed memory owned by the arena, or NULL when out of memory. */
void *ch_arena_alloc(ch_arena *a, size_t size);

/* Copies n bytes of s and a terminating NUL into the arena. */
char *ch_arena_strndup(ch_arena *a, const char *s, size_t n);
char *ch_arena_strdup(ch_arena *a, const char *s);

/* Grows an arena array: returns a copy of old (n elements) with room for
 * cap elements; the old storage stays in the arena until it is freed. */
void *ch_arena_grow(ch_arena *a, void *old, size_t n, size_t cap, size_t elem);

/* items (n elements of elem bytes, room for *cap) with room for one more:
 * items itself while it fits, else a copy with *cap doubled (8 at first).
 * NULL when the arena is out of memory. */
void *ch_arena_room(ch_arena *a, void *items, size_t n, size_t *cap, size_t elem);

/* Frees every allocation made from the arena. */
void ch_arena_free(ch_arena *a);

#endif
