// The AVX-512 row kernels for one element type. Included by rows_avx512.c with these macros
// defined (undefined again at the end of this file):
//   RT_FN(x)         x with the suffix of this instantiation (for example x##_f32)
//   RT_T             element type of the arrays
//   RT_V             vector type the elements are widened to (__m512d or __m512)
//   RT_VL            lanes of RT_V, i.e. elements per vector load
//   RT_LD(p)         RT_VL elements at p widened to one RT_V
//   RT_LD_MASK(k, p) the first k (0 <= k <= RT_VL) elements at p widened, the other lanes zero
//   RT_LANE          lane suffix of the intrinsics (pd or ps): RT_OP(add) is _mm512_add_pd
//                    or _ps; coefficients are broadcast with RT_OP(set1), rounded to the lane type
//   RT_HSUM(v)       sum of the lanes of v, as a double
//   RT_SUMS_UNIT     vectors per rowsums step after the main loop (1 or 2)
//   RT_M             mask type of one element-wise step (W = 2 * RT_VL elements)
//   RT_MASK(k)       lanes [0, k) of RT_M set, for 0 <= k <= W
//   RT_LD2(m, full, p, x)       loads a step (full, or the lanes of m) into x[0], x[1]
//   RT_ST2(m, full, st, q, g0, g1)  stores a step: full (streaming if st), or the lanes of m
// Stream planning (stream_plan, stream_head) is shared by all types, in rows_avx512.c.

// rowsums: 3 sums x 4 accumulators. Main loop of 4 vectors; then steps of RT_SUMS_UNIT vectors
// into the first accumulators; then one masked step into the next ones.
CK_AVX512 static void RT_FN(rowsums)(const RT_T *a, const RT_T *b, size_t rows, size_t n, double *out) {
  enum { U = RT_SUMS_UNIT };
  for (size_t r = 0; r < rows; r++) {
    const RT_T *pa = a + r * n, *pb = b + r * n;
    RT_V ab[4], aa[4], bb[4];
    for (int v = 0; v < 4; v++) ab[v] = aa[v] = bb[v] = RT_OP(setzero)();
    size_t i = 0;
    for (; i + 4 * RT_VL <= n; i += 4 * RT_VL) {
      RT_V x[4], y[4];
      for (int v = 0; v < 4; v++) x[v] = RT_LD(pa + i + v * RT_VL), y[v] = RT_LD(pb + i + v * RT_VL);
      for (int v = 0; v < 4; v++) ab[v] = RT_OP(fmadd)(x[v], y[v], ab[v]);
      for (int v = 0; v < 4; v++) aa[v] = RT_OP(fmadd)(x[v], x[v], aa[v]);
      for (int v = 0; v < 4; v++) bb[v] = RT_OP(fmadd)(y[v], y[v], bb[v]);
    }
    for (; i + U * RT_VL <= n; i += U * RT_VL) {
      for (int v = 0; v < U; v++) {
        RT_V x = RT_LD(pa + i + v * RT_VL), y = RT_LD(pb + i + v * RT_VL);
        ab[v] = RT_OP(fmadd)(x, y, ab[v]);
        aa[v] = RT_OP(fmadd)(x, x, aa[v]);
        bb[v] = RT_OP(fmadd)(y, y, bb[v]);
      }
    }
    if (i < n) {  // 1 ... U * RT_VL - 1 left
      for (int v = 0; v < U; v++) {
        const size_t off = (size_t)v * RT_VL, left = n - i > off ? n - i - off : 0;
        const size_t k = left < RT_VL ? left : RT_VL;
        RT_V x = RT_LD_MASK(k, pa + i + off), y = RT_LD_MASK(k, pb + i + off);
        ab[U + v] = RT_OP(fmadd)(x, y, ab[U + v]);
        aa[U + v] = RT_OP(fmadd)(x, x, aa[U + v]);
        bb[U + v] = RT_OP(fmadd)(y, y, bb[U + v]);
      }
    }
    out[3 * r + 0] = RT_HSUM(RT_OP(add)(RT_OP(add)(ab[0], ab[1]), RT_OP(add)(ab[2], ab[3])));
    out[3 * r + 1] = RT_HSUM(RT_OP(add)(RT_OP(add)(aa[0], aa[1]), RT_OP(add)(aa[2], aa[3])));
    out[3 * r + 2] = RT_HSUM(RT_OP(add)(RT_OP(add)(bb[0], bb[1]), RT_OP(add)(bb[2], bb[3])));
  }
}

// Element-wise kernels: steps of W = 2 * RT_VL elements; a masked step up to the 64-byte
// boundary of the output when streaming, full steps, a masked step for the tail. Every input
// of a step is loaded before its outputs are stored.

// One step of rowgrad (mask m; full when the stream flags may be set).
CK_INLINE void RT_FN(grad_step)(RT_V ca, RT_V da, RT_V cb, RT_V db, const RT_T *pa, const RT_T *pb, RT_T *qa,
                                RT_T *qb, RT_M m, int full, int sa, int sb) {
  RT_V x[2], y[2];
  RT_LD2(m, full, pa, x);
  RT_LD2(m, full, pb, y);
  if (qa)
    RT_ST2(m, full, sa, qa, RT_OP(sub)(RT_OP(mul)(ca, y[0]), RT_OP(mul)(da, x[0])), RT_OP(sub)(RT_OP(mul)(ca, y[1]), RT_OP(mul)(da, x[1])));
  if (qb)
    RT_ST2(m, full, sb, qb, RT_OP(sub)(RT_OP(mul)(cb, x[0]), RT_OP(mul)(db, y[0])), RT_OP(sub)(RT_OP(mul)(cb, x[1]), RT_OP(mul)(db, y[1])));
}

CK_AVX512 static void RT_FN(rowgrad)(const RT_T *a, const RT_T *b, size_t rows, size_t n, const double *coef,
                                     RT_T *ga, RT_T *gb) {
  enum { W = 2 * RT_VL };
  if (!ga && !gb) return;
  int sa, sb;
  stream_plan(ga, gb, sizeof(RT_T), rows * n * sizeof(RT_T) * (size_t)(2 + (ga != NULL) + (gb != NULL)), &sa, &sb);
  for (size_t r = 0; r < rows; r++) {
    const RT_V ca = RT_OP(set1)(coef[4 * r + 0]), da = RT_OP(set1)(coef[4 * r + 1]);
    const RT_V cb = RT_OP(set1)(coef[4 * r + 2]), db = RT_OP(set1)(coef[4 * r + 3]);
    const size_t base = r * n;
    const RT_T *pa = a + base, *pb = b + base;
    RT_T *qa = ga ? ga + base : NULL, *qb = gb ? gb + base : NULL;
    size_t i = stream_head(qa ? (void *)qa : (void *)qb, sizeof(RT_T), n, sa | sb);
    if (i) RT_FN(grad_step)(ca, da, cb, db, pa, pb, qa, qb, RT_MASK(i), 0, 0, 0);
    for (; i + W <= n; i += W)
      RT_FN(grad_step)(ca, da, cb, db, pa + i, pb + i, qa ? qa + i : NULL, qb ? qb + i : NULL, RT_MASK(W), 1, sa, sb);
    if (i < n)
      RT_FN(grad_step)(ca, da, cb, db, pa + i, pb + i, qa ? qa + i : NULL, qb ? qb + i : NULL, RT_MASK(n - i), 0, 0, 0);
  }
  if (sa | sb) _mm_sfence();
}

CK_INLINE void RT_FN(scale_step)(RT_V s, const RT_T *p, RT_T *q, RT_M m, int full, int st) {
  RT_V x[2];
  RT_LD2(m, full, p, x);
  RT_ST2(m, full, st, q, RT_OP(mul)(s, x[0]), RT_OP(mul)(s, x[1]));
}

CK_AVX512 static void RT_FN(rowscale)(const RT_T *x, size_t rows, size_t n, const double *scale, RT_T *out) {
  enum { W = 2 * RT_VL };
  int st, unused;
  stream_plan(out, NULL, sizeof(RT_T), 2 * rows * n * sizeof(RT_T), &st, &unused);
  for (size_t r = 0; r < rows; r++) {
    const RT_V s = RT_OP(set1)(scale[r]);
    const RT_T *p = x + r * n;
    RT_T *q = out + r * n;
    size_t i = stream_head(q, sizeof(RT_T), n, st);
    if (i) RT_FN(scale_step)(s, p, q, RT_MASK(i), 0, 0);
    for (; i + W <= n; i += W) RT_FN(scale_step)(s, p + i, q + i, RT_MASK(W), 1, st);
    if (i < n) RT_FN(scale_step)(s, p + i, q + i, RT_MASK(n - i), 0, 0);
  }
  if (st) _mm_sfence();
}

#undef RT_FN
#undef RT_T
#undef RT_V
#undef RT_LANE
#undef RT_VL
#undef RT_LD
#undef RT_LD_MASK
#undef RT_HSUM
#undef RT_SUMS_UNIT
#undef RT_M
#undef RT_MASK
#undef RT_LD2
#undef RT_ST2
