// CPU detection and the per-thread level limit (see ck_cpu.h).
//
// The CPU is probed once: by a constructor at load time, or by the first caller if a kernel runs
// before the constructors (the probe is idempotent, so a race only repeats it).
#include "cpu_features.h"

enum { CK_VNNI = 1, CK_POPCNT = 2 };

static int ck_detected_level = -1;
static int ck_detected_extras = 0;

static void ck_detect(void) {
  int level = 0, extras = 0;
#if CK_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) level = 1;
  if (level == 1 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
    level = 2;
  if (level == 2 && __builtin_cpu_supports("avx512vnni")) extras |= CK_VNNI;
  if (__builtin_cpu_supports("popcnt")) extras |= CK_POPCNT;
#endif
  __atomic_store_n(&ck_detected_extras, extras, __ATOMIC_RELAXED);
  __atomic_store_n(&ck_detected_level, level, __ATOMIC_RELEASE);
}

__attribute__((constructor)) static void ck_cpu_init(void) { ck_detect(); }

int ck_cpu_level(void) {
  int level = __atomic_load_n(&ck_detected_level, __ATOMIC_ACQUIRE);
  if (__builtin_expect(level < 0, 0)) {
    ck_detect();
    level = __atomic_load_n(&ck_detected_level, __ATOMIC_ACQUIRE);
  }
  return level;
}

static int ck_extras(void) {
  (void)ck_cpu_level();
  return __atomic_load_n(&ck_detected_extras, __ATOMIC_RELAXED);
}

int ck_cpu_has_vnni(void) { return (ck_extras() & CK_VNNI) != 0; }
int ck_cpu_has_popcnt(void) { return (ck_extras() & CK_POPCNT) != 0; }

static _Thread_local int ck_limit = 2;

int ck_level(void) {
  const int hardware = ck_cpu_level(), limit = ck_limit;
  return hardware < limit ? hardware : limit;
}

void ck_set_thread_level_limit(int level) { ck_limit = level < 0 ? 0 : (level > 2 ? 2 : level); }

int ck_thread_level_limit(void) { return ck_limit; }
