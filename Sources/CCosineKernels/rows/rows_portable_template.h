// The portable row kernels for one element type. Included by rows_portable.c with these macros
// defined (undefined again at the end of this file):
//   RT_FN(x)     x with the suffix of this instantiation (for example x##_f32)
//   RT_T         element type of the arrays
//   RT_ACC       type every element is widened to; sums and products are evaluated in it
//   RT_LOAD(x)   one element widened to RT_ACC
//   RT_STORE(v)  one RT_ACC result rounded to RT_T
// Same semantics as the SIMD kernels (see rows_portable.c).

// Reductions. Four partial sums per quantity: shorter rounding chains (and some speed).
static void RT_FN(rowsums)(const RT_T *a, const RT_T *b, size_t rows, size_t n, double *out) {
  for (size_t r = 0; r < rows; r++) {
    const RT_T *pa = a + r * n, *pb = b + r * n;
    RT_ACC ab[4] = {0, 0, 0, 0}, aa[4] = {0, 0, 0, 0}, bb[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
      for (int k = 0; k < 4; k++) {
        RT_ACC x = RT_LOAD(pa[i + k]), y = RT_LOAD(pb[i + k]);
        ab[k] += x * y;
        aa[k] += x * x;
        bb[k] += y * y;
      }
    }
    for (; i < n; i++) {
      RT_ACC x = RT_LOAD(pa[i]), y = RT_LOAD(pb[i]);
      ab[0] += x * y;
      aa[0] += x * x;
      bb[0] += y * y;
    }
    out[3 * r + 0] = ((double)ab[0] + ab[1]) + ((double)ab[2] + ab[3]);
    out[3 * r + 1] = ((double)aa[0] + aa[1]) + ((double)aa[2] + aa[3]);
    out[3 * r + 2] = ((double)bb[0] + bb[1]) + ((double)bb[2] + bb[3]);
  }
}

// Element-wise kernels. Each element is loaded before its outputs are stored, so an output
// may alias an input element-for-element.
static void RT_FN(rowgrad)(const RT_T *a, const RT_T *b, size_t rows, size_t n, const double *coef, RT_T *ga,
                           RT_T *gb) {
  for (size_t r = 0; r < rows; r++) {
    const RT_ACC ca = (RT_ACC)coef[4 * r + 0], da = (RT_ACC)coef[4 * r + 1];
    const RT_ACC cb = (RT_ACC)coef[4 * r + 2], db = (RT_ACC)coef[4 * r + 3];
    const size_t base = r * n;
    for (size_t i = 0; i < n; i++) {
      RT_ACC x = RT_LOAD(a[base + i]), y = RT_LOAD(b[base + i]);
      if (ga) ga[base + i] = RT_STORE(ca * y - da * x);
      if (gb) gb[base + i] = RT_STORE(cb * x - db * y);
    }
  }
}

static void RT_FN(rowscale)(const RT_T *x, size_t rows, size_t n, const double *scale, RT_T *out) {
  for (size_t r = 0; r < rows; r++) {
    const RT_ACC s = (RT_ACC)scale[r];
    const size_t base = r * n;
    for (size_t i = 0; i < n; i++) out[base + i] = RT_STORE(s * RT_LOAD(x[base + i]));
  }
}

#undef RT_FN
#undef RT_T
#undef RT_ACC
#undef RT_LOAD
#undef RT_STORE
