// The harness of kernel_check: seeded data, comparisons against references computed here, and
// digests of every result so that two runs (two architectures, two kernel levels) can be
// compared bit for bit.
//
// Not part of the Swift package: Scripts/test-arm64.sh compiles these files with the C kernels
// of Sources/CCosineKernels, for the host and for aarch64 (run under qemu).
#ifndef KERNEL_CHECK_H
#define KERNEL_CHECK_H
#include <stddef.h>
#include <stdint.h>

// MARK: Seeded data (integer arithmetic only: the same values on every architecture)

typedef struct {
  uint64_t state;
} kc_rng;

/// A generator seeded from a case name and a number: every case draws its own stream.
kc_rng kc_seed(const char *name, uint64_t n);
/// The next 64 random bits (splitmix64).
uint64_t kc_next(kc_rng *g);
/// A double uniform in [−1, 1) on a grid of 2⁻⁵², exactly representable.
double kc_unit(kc_rng *g);
/// An integer uniform in [0, n).
int64_t kc_below(kc_rng *g, int64_t n);

/// How a filled array looks: uniform values in [−1, 1), or uniform values with edge values
/// mixed in (±0, NaN, ±infinity, subnormals, huge and tiny magnitudes).
enum { KC_RANDOM = 0, KC_EDGE = 1, KC_EDGE_FINITE = 2 };
void kc_fill_f32(float *x, int64_t n, kc_rng *g, int kind);
void kc_fill_f64(double *x, int64_t n, kc_rng *g, int kind);
/// Half bit patterns of values in [−1, 1) (KC_RANDOM), or any pattern with edge values.
void kc_fill_f16(uint16_t *x, int64_t n, kc_rng *g, int kind);

// MARK: Allocation (aborts with a message when memory is short: a test driver, not a library)

void *kc_alloc(size_t bytes);

// MARK: Results

/// The checks recorded so far.
int64_t kc_passed_count(void);
int64_t kc_failed_count(void);

/// Records one check: `ok` counts as passed, otherwise failed with the message printed.
void kc_check(int ok, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/// Digest classes: results the kernels promise bitwise equal on every instruction set (so on
/// every architecture too), and results only promised within a tolerance.
enum { KC_BITWISE = 'B', KC_TOLERANCE = 'T' };

/// Prints `digest CLASS NAME HEX`: an FNV-1a hash of `bytes` bytes of `p`.
void kc_digest(int cls, const char *name, const void *p, size_t bytes);
/// The same for floating-point results, every NaN counted as one value (the sign and payload of
/// a NaN an operation creates differ between architectures; no kernel promises them).
void kc_digest_f32(int cls, const char *name, const float *x, int64_t n);
void kc_digest_f64(int cls, const char *name, const double *x, int64_t n);
void kc_digest_f16(int cls, const char *name, const uint16_t *x, int64_t n);

/// Compares element-wise: NaN where the reference is NaN, equal infinities, otherwise
/// |got − ref| ≤ tol[i] (tol may be NULL: exact equality). Returns the index of the first
/// mismatch or −1, and prints it under `name`.
int64_t kc_close_f64(const char *name, const double *got, const double *ref, const double *tol,
                     int64_t n);
/// The same for float results.
int64_t kc_close_f32(const char *name, const float *got, const double *ref, const double *tol,
                     int64_t n);
/// Bitwise equality of `n` elements of `size` bytes; the index of the first difference or −1.
int64_t kc_same_bits(const void *a, const void *b, int64_t n, size_t size);
/// Bitwise equality of floating-point results, where any NaN equals any NaN; prints the first
/// difference under `name` and returns its index, or −1.
int64_t kc_same_f32(const char *name, const float *got, const float *ref, int64_t n);
int64_t kc_same_f64(const char *name, const double *got, const double *ref, int64_t n);
int64_t kc_same_f16(const char *name, const uint16_t *got, const uint16_t *ref, int64_t n);

/// The exact fused multiply-add chain every GEMM and search score is: s = 0, then
/// s = fma(a[k·sa], b[k·sb], s) for k < d, clamped to [−1, 1] when `clamp` (NaN stays NaN).
float kc_chain_f32(const float *a, int64_t sa, const float *b, int64_t sb, int64_t d, int clamp);
double kc_chain_f64(const double *a, int64_t sa, const double *b, int64_t sb, int64_t d,
                    int clamp);

/// Packs rows normalized by factors computed here (1/‖row‖ in double; 1 for a zero row, 0 for
/// a row with NaN or infinity), written to `post`; returns the panels (free with free()).
float *kc_pack_rows_f32(const float *x, int64_t rows, int64_t d, int64_t w, double *post);
double *kc_pack_rows_f64(const double *x, int64_t rows, int64_t d, int64_t w, double *post);

/// Half and bfloat16 references built on the compiler's _Float16 and on exact double arithmetic,
/// independent of the kernels' own conversions.
float kc_ref_half_to_float(uint16_t h);
uint16_t kc_ref_float_to_half(float f);
uint16_t kc_ref_float_to_bf16(float f);

/// The suites, one per kernel family.
void kc_check_rows(void);
void kc_check_pack_gemm(void);
void kc_check_search(void);
void kc_check_loss(void);
void kc_check_analysis(void);
void kc_check_encoder(void);
void kc_check_quant(void);
void kc_check_convert(void);

/// Unit roundoffs.
#define KC_U32 0x1p-24
#define KC_U64 0x1p-53
#endif
