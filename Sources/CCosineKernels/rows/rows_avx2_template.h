// The AVX2 row kernels for one element type. Included by rows_avx2.c with these macros
// defined (undefined again at the end of this file):
//   RT_FN(x)        x with the suffix of this instantiation (for example x##_f32)
//   RT_T            element type of the arrays
//   RT_V            vector type the elements are widened to (__m256d or __m256)
//   RT_VL           lanes of RT_V, i.e. elements per vector load
//   RT_LD(p)        RT_VL elements at p widened to one RT_V
//   RT_ST(q, v)     one RT_V rounded to RT_T and stored as RT_VL elements at q
//   RT_LANE          lane suffix of the intrinsics (pd or ps): RT_OP(add) is _mm256_add_pd
//                    or _ps; coefficients are broadcast with RT_OP(set1), rounded to the lane type
//   RT_HSUM(v)      sum of the lanes of v, as a double
//   RT_SUMS_TAIL_SPLIT  1: the tail of a rowsums row is one zero-padded two-vector step into
//                   both accumulators; 0: zero-padded one-vector steps into the first one
//   RT_GV           vectors per step of the element-wise kernels
// The tail of a row goes through a small zero-padded buffer on the stack (memcpy in,
// full-width vector code, memcpy out).

// rowsums: two vectors per step (2 * RT_VL elements), one accumulator per vector and sum.
CK_AVX2 static void RT_FN(rowsums)(const RT_T *a, const RT_T *b, size_t rows, size_t n, double *out) {
  enum { W = 2 * RT_VL };
  for (size_t r = 0; r < rows; r++) {
    const RT_T *pa = a + r * n, *pb = b + r * n;
    RT_V ab0 = RT_OP(setzero)(), ab1 = ab0, aa0 = ab0, aa1 = ab0, bb0 = ab0, bb1 = ab0;
    size_t i = 0;
    for (; i + W <= n; i += W) {
      RT_V x0 = RT_LD(pa + i), x1 = RT_LD(pa + i + RT_VL);
      RT_V y0 = RT_LD(pb + i), y1 = RT_LD(pb + i + RT_VL);
      ab0 = RT_OP(fmadd)(x0, y0, ab0); ab1 = RT_OP(fmadd)(x1, y1, ab1);
      aa0 = RT_OP(fmadd)(x0, x0, aa0); aa1 = RT_OP(fmadd)(x1, x1, aa1);
      bb0 = RT_OP(fmadd)(y0, y0, bb0); bb1 = RT_OP(fmadd)(y1, y1, bb1);
    }
#if RT_SUMS_TAIL_SPLIT
    if (i < n) {
      RT_T ta[W] = {0}, tb[W] = {0};
      memcpy(ta, pa + i, (n - i) * sizeof(RT_T));
      memcpy(tb, pb + i, (n - i) * sizeof(RT_T));
      RT_V x0 = RT_LD(ta), x1 = RT_LD(ta + RT_VL), y0 = RT_LD(tb), y1 = RT_LD(tb + RT_VL);
      ab0 = RT_OP(fmadd)(x0, y0, ab0); ab1 = RT_OP(fmadd)(x1, y1, ab1);
      aa0 = RT_OP(fmadd)(x0, x0, aa0); aa1 = RT_OP(fmadd)(x1, x1, aa1);
      bb0 = RT_OP(fmadd)(y0, y0, bb0); bb1 = RT_OP(fmadd)(y1, y1, bb1);
    }
#else
    while (i < n) {  // at most two one-vector steps, the last one zero-padded
      RT_T ta[RT_VL] = {0}, tb[RT_VL] = {0};
      size_t k = n - i < RT_VL ? n - i : RT_VL;
      memcpy(ta, pa + i, k * sizeof(RT_T));
      memcpy(tb, pb + i, k * sizeof(RT_T));
      RT_V x = RT_LD(ta), y = RT_LD(tb);
      ab0 = RT_OP(fmadd)(x, y, ab0);
      aa0 = RT_OP(fmadd)(x, x, aa0);
      bb0 = RT_OP(fmadd)(y, y, bb0);
      i += k;
    }
#endif
    out[3 * r + 0] = RT_HSUM(RT_OP(add)(ab0, ab1));
    out[3 * r + 1] = RT_HSUM(RT_OP(add)(aa0, aa1));
    out[3 * r + 2] = RT_HSUM(RT_OP(add)(bb0, bb1));
  }
}

// rowgrad / rowscale: full steps of RT_GV vectors, then one zero-padded step through stack
// buffers. Every input of a step is loaded before its outputs are stored.

// One full step: reads sa[0..W), sb[0..W), writes qa[0..W), qb[0..W) (either may be NULL).
CK_AVX2 static inline void RT_FN(grad_step)(RT_V ca, RT_V da, RT_V cb, RT_V db, const RT_T *sa, const RT_T *sb,
                                            RT_T *qa, RT_T *qb) {
  RT_V x[RT_GV], y[RT_GV];
  for (int v = 0; v < RT_GV; v++) x[v] = RT_LD(sa + v * RT_VL), y[v] = RT_LD(sb + v * RT_VL);
  if (qa)
    for (int v = 0; v < RT_GV; v++) RT_ST(qa + v * RT_VL, RT_OP(sub)(RT_OP(mul)(ca, y[v]), RT_OP(mul)(da, x[v])));
  if (qb)
    for (int v = 0; v < RT_GV; v++) RT_ST(qb + v * RT_VL, RT_OP(sub)(RT_OP(mul)(cb, x[v]), RT_OP(mul)(db, y[v])));
}

CK_AVX2 static void RT_FN(rowgrad)(const RT_T *a, const RT_T *b, size_t rows, size_t n, const double *coef,
                                   RT_T *ga, RT_T *gb) {
  enum { W = RT_GV * RT_VL };
  if (!ga && !gb) return;
  for (size_t r = 0; r < rows; r++) {
    const RT_V ca = RT_OP(set1)(coef[4 * r + 0]), da = RT_OP(set1)(coef[4 * r + 1]);
    const RT_V cb = RT_OP(set1)(coef[4 * r + 2]), db = RT_OP(set1)(coef[4 * r + 3]);
    const size_t base = r * n;
    const RT_T *pa = a + base, *pb = b + base;
    RT_T *qa = ga ? ga + base : NULL, *qb = gb ? gb + base : NULL;
    size_t i = 0;
    for (; i + W <= n; i += W)
      RT_FN(grad_step)(ca, da, cb, db, pa + i, pb + i, qa ? qa + i : NULL, qb ? qb + i : NULL);
    if (i < n) {
      size_t k = n - i;
      RT_T ta[W] = {0}, tb[W] = {0}, ua[W], ub[W];
      memcpy(ta, pa + i, k * sizeof(RT_T));
      memcpy(tb, pb + i, k * sizeof(RT_T));
      RT_FN(grad_step)(ca, da, cb, db, ta, tb, qa ? ua : NULL, qb ? ub : NULL);
      if (qa) memcpy(qa + i, ua, k * sizeof(RT_T));
      if (qb) memcpy(qb + i, ub, k * sizeof(RT_T));
    }
  }
}

CK_AVX2 static inline void RT_FN(scale_step)(RT_V s, const RT_T *p, RT_T *q) {
  RT_V x[RT_GV];
  for (int v = 0; v < RT_GV; v++) x[v] = RT_LD(p + v * RT_VL);
  for (int v = 0; v < RT_GV; v++) RT_ST(q + v * RT_VL, RT_OP(mul)(s, x[v]));
}

CK_AVX2 static void RT_FN(rowscale)(const RT_T *x, size_t rows, size_t n, const double *scale, RT_T *out) {
  enum { W = RT_GV * RT_VL };
  for (size_t r = 0; r < rows; r++) {
    const RT_V s = RT_OP(set1)(scale[r]);
    const RT_T *p = x + r * n;
    RT_T *q = out + r * n;
    size_t i = 0;
    for (; i + W <= n; i += W) RT_FN(scale_step)(s, p + i, q + i);
    if (i < n) {
      RT_T t[W] = {0};
      memcpy(t, p + i, (n - i) * sizeof(RT_T));
      RT_FN(scale_step)(s, t, t);
      memcpy(q + i, t, (n - i) * sizeof(RT_T));
    }
  }
}

#undef RT_FN
#undef RT_T
#undef RT_V
#undef RT_LANE
#undef RT_VL
#undef RT_LD
#undef RT_ST
#undef RT_HSUM
#undef RT_SUMS_TAIL_SPLIT
#undef RT_GV
