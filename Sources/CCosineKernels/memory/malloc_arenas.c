// Keeps glibc's malloc to one arena (see ck_limit_malloc_arenas_under_address_limit in ck_memory.h).
#include "ck_memory.h"

#if defined(__GLIBC__)
#include <malloc.h>
#include <sys/resource.h>

int ck_limit_malloc_arenas_under_address_limit(void) {
  struct rlimit r;
  if (getrlimit(RLIMIT_AS, &r) != 0 || r.rlim_cur == RLIM_INFINITY) return 0;
  return mallopt(M_ARENA_MAX, 1) == 1;
}
#else
int ck_limit_malloc_arenas_under_address_limit(void) { return 0; }
#endif
