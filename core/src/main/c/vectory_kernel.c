/*
 * The engine's block dot products and top-k scans as native code, for JVMs that can call it (Java 22+, FFM API).
 * Same contract as io.vectory.core.compare.DotKernel, bit for bit: every output is one fused multiply-add per p,
 * in increasing p, from 0; so its floats equal the Java kernels' wherever a pair falls. Compiled code from the first
 * call: a cold JVM runs a compare without waiting for C2 to compile the Vector API kernel.
 *
 * One file, built twice by core's build: with -mavx512f (8 rows x 3 vectors of 16 lanes, width 48) and with
 * -mavx2 -mfma (6 rows x 2 vectors of 8 lanes, width 16); the names end in the width. -ffp-contract=off keeps the
 * scans' arithmetic as written.
 */
#include <immintrin.h>
#include <stddef.h>

#if defined(__AVX512F__)
#define L 16
#define ROWS 8
#define VECS 3
typedef __m512 vf;
#define VZERO() _mm512_setzero_ps()
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSTORE(p, v) _mm512_storeu_ps((p), (v))
#define VSET1(x) _mm512_set1_ps(x)
#define VFMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define VSUB(a, b) _mm512_sub_ps((a), (b))
#define VMUL(a, b) _mm512_mul_ps((a), (b))
#define VNEG(a) _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a), _mm512_set1_epi32((int) 0x80000000)))
#define VMASK_LE(a, b) ((unsigned) _mm512_cmp_ps_mask((a), (b), _CMP_LE_OQ))
#define VMASK_GE(a, b) ((unsigned) _mm512_cmp_ps_mask((a), (b), _CMP_GE_OQ))
#define NAME(f) f##48
#elif defined(__AVX2__) && defined(__FMA__)
#define L 8
#define ROWS 6
#define VECS 2
typedef __m256 vf;
#define VZERO() _mm256_setzero_ps()
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, v) _mm256_storeu_ps((p), (v))
#define VSET1(x) _mm256_set1_ps(x)
#define VFMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define VSUB(a, b) _mm256_sub_ps((a), (b))
#define VMUL(a, b) _mm256_mul_ps((a), (b))
#define VNEG(a) _mm256_xor_ps((a), _mm256_set1_ps(-0.0f))
#define VMASK_LE(a, b) ((unsigned) _mm256_movemask_ps(_mm256_cmp_ps((a), (b), _CMP_LE_OQ)))
#define VMASK_GE(a, b) ((unsigned) _mm256_movemask_ps(_mm256_cmp_ps((a), (b), _CMP_GE_OQ)))
#define NAME(f) f##16
#else
#error "build with -mavx512f or with -mavx2 -mfma"
#endif

#define W (VECS * L)
/* Depth of one pass over a B panel slice, as in VectorDotKernel: the slice stays in L1 across A's row blocks. */
#define DEPTH 128

/* ROWS x VECS accumulators for rows [0, nr) (nr == ROWS, or 1 for a remainder row); the loops over r and v have
   constant bounds, so the compiler keeps the accumulators in registers. */
static inline __attribute__((always_inline)) void block(const float *a, long aRow, long aCol, const float *b, long bRow, int len, float *out,
                         long os, int carry, int nr) {
  vf c[ROWS][VECS];
#pragma GCC unroll 8
  for (int r = 0; r < ROWS; r++)
#pragma GCC unroll 3
    for (int v = 0; v < VECS; v++) c[r][v] = (carry && r < nr) ? VLOAD(out + r * os + v * L) : VZERO();
  if (nr == ROWS) {
    for (int p = 0; p < len; p++) {
      const float *x = b + p * bRow;
      vf x0 = VLOAD(x), x1 = VLOAD(x + L);
#if VECS == 3
      vf x2 = VLOAD(x + 2 * L);
#endif
#pragma GCC unroll 8
      for (int r = 0; r < ROWS; r++) {
        vf s = VSET1(a[r * aRow + p * aCol]);
        c[r][0] = VFMA(s, x0, c[r][0]);
        c[r][1] = VFMA(s, x1, c[r][1]);
#if VECS == 3
        c[r][2] = VFMA(s, x2, c[r][2]);
#endif
      }
    }
#pragma GCC unroll 8
    for (int r = 0; r < ROWS; r++)
#pragma GCC unroll 3
      for (int v = 0; v < VECS; v++) VSTORE(out + r * os + v * L, c[r][v]);
  } else {
    for (int p = 0; p < len; p++) {
      const float *x = b + p * bRow;
      vf s = VSET1(a[p * aCol]);
#pragma GCC unroll 3
      for (int v = 0; v < VECS; v++) c[0][v] = VFMA(s, VLOAD(x + v * L), c[0][v]);
    }
#pragma GCC unroll 3
    for (int v = 0; v < VECS; v++) VSTORE(out + v * L, c[0][v]);
  }
}

void NAME(vk_panels)(const float *a, int aOff, int aRow, int aCol, int rows, const float *b, int bOff, int bRow,
                     int panelStep, int nPanels, int len, float *out, int outOff, int outStride) {
  for (int pc = 0; pc < nPanels; pc++) {
    int p0 = 0;
    do { /* at least once: len 0 writes zeros */
      int depth = len - p0 < DEPTH ? len - p0 : DEPTH;
      int carry = p0 > 0;
      const float *bp = b + bOff + (long) pc * panelStep + (long) p0 * bRow;
      const float *ap = a + aOff + (long) p0 * aCol;
      float *op = out + outOff + (long) pc * W;
      int r = 0;
      for (; r + ROWS <= rows; r += ROWS)
        block(ap + (long) r * aRow, aRow, aCol, bp, bRow, depth, op + (long) r * outStride, outStride, carry, ROWS);
      for (; r < rows; r++)
        block(ap + (long) r * aRow, aRow, aCol, bp, bRow, depth, op + (long) r * outStride, outStride, carry, 1);
      p0 += DEPTH;
    } while (p0 < len);
  }
}

/* DotKernel.nextRow: the first b in [from, to) whose score (-t, or bias[biasOff + b] - 2t) is at most thr. */
int NAME(vk_next_row)(const float *t, int off, int from, int to, const float *bias, int biasOff, float thr) {
  const float *tt = t + off;
  int b = from;
  if (bias == NULL) {
    vf lim = VSET1(-thr); /* -t <= thr exactly when t >= -thr */
    for (; b + L <= to; b += L) {
      unsigned m = VMASK_GE(VLOAD(tt + b), lim);
      if (m) return b + __builtin_ctz(m);
    }
    for (; b < to; b++)
      if (-tt[b] <= thr) return b;
  } else {
    const float *bb = bias + biasOff;
    vf lim = VSET1(thr), two = VSET1(2.0f);
    for (; b + L <= to; b += L) {
      unsigned m = VMASK_LE(VSUB(VLOAD(bb + b), VMUL(VLOAD(tt + b), two)), lim);
      if (m) return b + __builtin_ctz(m);
    }
    for (; b < to; b++)
      if (bb[b] - 2.0f * tt[b] <= thr) return b;
  }
  return to;
}

/* DotKernel.nextColumn: the first b in [from, to) whose score (bias - 2t, or -(t * scale)) is at most thr[b]. */
int NAME(vk_next_column)(const float *t, int off, int from, int to, int euclidean, float bias, float scale,
                         const float *thr) {
  const float *tt = t + off;
  int b = from;
  if (euclidean) {
    vf bv = VSET1(bias), two = VSET1(2.0f);
    for (; b + L <= to; b += L) {
      unsigned m = VMASK_LE(VSUB(bv, VMUL(VLOAD(tt + b), two)), VLOAD(thr + b));
      if (m) return b + __builtin_ctz(m);
    }
    for (; b < to; b++)
      if (bias - 2.0f * tt[b] <= thr[b]) return b;
  } else {
    vf sv = VSET1(scale);
    for (; b + L <= to; b += L) {
      unsigned m = VMASK_LE(VNEG(VMUL(VLOAD(tt + b), sv)), VLOAD(thr + b));
      if (m) return b + __builtin_ctz(m);
    }
    for (; b < to; b++)
      if (-(tt[b] * scale) <= thr[b]) return b;
  }
  return to;
}

/* ExactKnn.insert in C: (s, j) into the sorted run h[base, base + kk) by (score, row), dropping the last. */
static inline void insert(float *h, int *hix, long base, int kk, float s, int j) {
  long p = base + kk - 1;
  while (p > base && (h[p - 1] > s || (h[p - 1] == s && hix[p - 1] > j))) {
    h[p] = h[p - 1];
    hix[p] = hix[p - 1];
    p--;
  }
  h[p] = s;
  hix[p] = j;
}

/*
 * DotKernel.scanSelfTile: ExactKnn.scanSelfTile, the scans and insertions of one tile (rows q0.., columns j0..), with
 * the same comparisons in the same order, so the candidate runs come out identical. Java code that a fresh JVM would
 * run interpreted, then in C1, for the first tenth of a second of every compare.
 */
void NAME(vk_scan_self_tile)(const float *tile, int block, int qc, int q0, int jc, int j0, const float *bias,
                             int includeSelf, float *h, int *hix, int kk, float *ct, int *ci) {
  for (int a = 0; a < qc; a++) {
    const int q = q0 + a;
    const long base = (long) q * kk;
    const int self = includeSelf ? -1 : q;
    const float *row = tile + (long) a * block;
    float thr = h[base + kk - 1];
    int thrIdx = hix[base + kk - 1];
    for (int b = NAME(vk_next_row)(row, 0, 0, jc, bias, j0, thr); b < jc;
         b = NAME(vk_next_row)(row, 0, b + 1, jc, bias, j0, thr)) {
      const int j = j0 + b;
      const float s = bias == NULL ? -row[b] : bias[j] - 2.0f * row[b];
      if ((s < thr || j < thrIdx) && j != self) {
        insert(h, hix, base, kk, s, j);
        thr = h[base + kk - 1];
        thrIdx = hix[base + kk - 1];
      }
    }
  }
  if (j0 == q0) return;
  /* The same tile, read row by row, feeds the data block's rows (one threshold per column). */
  for (int b = 0; b < jc; b++) {
    ct[b] = h[(long) (j0 + b) * kk + kk - 1];
    ci[b] = hix[(long) (j0 + b) * kk + kk - 1];
  }
  const int euclidean = bias != NULL;
  for (int a = 0; a < qc; a++) {
    const int i = q0 + a;
    const float bi = euclidean ? bias[i] : 0.0f;
    const float *row = tile + (long) a * block;
    for (int b = NAME(vk_next_column)(row, 0, 0, jc, euclidean, bi, 1.0f, ct); b < jc;
         b = NAME(vk_next_column)(row, 0, b + 1, jc, euclidean, bi, 1.0f, ct)) {
      const float s = euclidean ? bi - 2.0f * row[b] : -(row[b] * 1.0f);
      if (s < ct[b] || i < ci[b]) {
        const long base = (long) (j0 + b) * kk;
        insert(h, hix, base, kk, s, i);
        ct[b] = h[base + kk - 1];
        ci[b] = hix[base + kk - 1];
      }
    }
  }
}
