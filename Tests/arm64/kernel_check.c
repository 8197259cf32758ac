// kernel_check: every kernel family of CCosineKernels against references computed here, on seeded
// random and edge inputs, at one kernel level. Prints a digest of every result (see check.h),
// a FAIL line per failed check and `kernel_check: N passed, M failed`; exits 1 on a failure.
//
//   kernel_check [--level L]   L caps the kernel level of the run (ck_cpu.h): 0 portable C,
//                              1 AVX2, 2 AVX-512 (the CPU's best by default)
//
// Scripts/test-arm64.sh builds it for the host and for aarch64 and compares the digests.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "CCosineKernels.h"
#include "check.h"

int main(int argc, char **argv) {
  int level = -1;  // the CPU's best
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--level") == 0 && i + 1 < argc) {
      char *end = NULL;
      const long v = strtol(argv[++i], &end, 10);
      if (!end || *end || v < 0 || v > 2) {
        fprintf(stderr, "kernel_check: --level must be 0, 1 or 2, got '%s'\n", argv[i]);
        return 2;
      }
      level = (int)v;
    } else {
      fprintf(stderr, "kernel_check: unknown argument '%s' (usage: kernel_check [--level L])\n",
              argv[i]);
      return 2;
    }
  }
  if (level < 0) level = ck_cpu_level();
  if (level > ck_cpu_level()) {
    fprintf(stderr, "kernel_check: this CPU's best kernel level is %d, not %d\n", ck_cpu_level(),
            level);
    return 2;
  }
  ck_set_thread_level_limit(level);
  printf("level %d (cpu %d), panel widths %lld / %lld\n", ck_level(), ck_cpu_level(),
         (long long)ck_panel_width_f32(), (long long)ck_panel_width_f64());
#if !defined(__x86_64__)
  // Other architectures run the portable C paths: level 0, panels of 16 floats / 8 doubles.
  kc_check(ck_cpu_level() == 0 && ck_panel_width_f32() == 16 && ck_panel_width_f64() == 8,
           "cpu/portable", "level %d, panel widths %lld / %lld", ck_cpu_level(),
           (long long)ck_panel_width_f32(), (long long)ck_panel_width_f64());
#endif
  // Memory helpers: advice only (nothing to compare), but they must accept any input, and the
  // arena limit is supported with glibc (both builds link glibc).
  ck_advise_huge_pages(NULL, 0);
  kc_check(ck_malloc_arena_limit_is_supported() == 1, "memory/arena_limit", "not supported");
  kc_check_convert();
  kc_check_rows();
  kc_check_pack_gemm();
  kc_check_search();
  kc_check_loss();
  kc_check_analysis();
  kc_check_encoder();
  kc_check_quant();
  printf("kernel_check: %lld passed, %lld failed\n", (long long)kc_passed_count(),
         (long long)kc_failed_count());
  return kc_failed_count() == 0 ? 0 : 1;
}
