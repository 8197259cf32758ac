// Keeps glibc's malloc to one arena (see ck_limit_malloc_arenas_under_address_limit in ck_memory.h).
#include "ck_memory.h"

// `__GLIBC__` comes from <features.h>, which the compiler's own <stddef.h> does not include:
// without it the test below would always be false and the limit silently never applied.
#if defined(__has_include)
#if __has_include(<features.h>)
#include <features.h>
#endif
#endif

#if defined(__GLIBC__)
#include <malloc.h>
#include <sys/resource.h>

int ck_malloc_arena_limit_is_supported(void) { return 1; }

int ck_limit_malloc_arenas_under_address_limit(void) {
  struct rlimit r;
  if (getrlimit(RLIMIT_AS, &r) != 0 || r.rlim_cur == RLIM_INFINITY) return 0;
  return mallopt(M_ARENA_MAX, 1) == 1;
}
#else
int ck_malloc_arena_limit_is_supported(void) { return 0; }
int ck_limit_malloc_arenas_under_address_limit(void) { return 0; }
#endif
