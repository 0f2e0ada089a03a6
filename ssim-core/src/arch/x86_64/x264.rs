//! The AVX2 entry of FFmpeg's 8-bit SSIM path (`crate::x264`): block sums with AVX2
//! intrinsics (16 pixels = 4 blocks per step: `vpmaddwd` for the squares and products, as
//! x264's `ssim_4x4x2_core`), and the generic window loop compiled inside an AVX2 frame so it
//! vectorises to ymm registers. Integer sums and unfused f32 arithmetic in a fixed order:
//! the same bits as the baseline build.

use core::arch::x86_64::*;

use crate::error::Result;
use crate::plane::{Plane, Sample};
use crate::x264::{plane_sum_u8_by, Band, BlockRowU8, ColumnsU8};

/// Stores four i32 lanes into `dst`, which must hold exactly four.
#[inline(always)]
fn store4(dst: &mut [i32], v: __m128i) {
    assert_eq!(dst.len(), 4);
    // SAFETY: `dst` holds exactly the 4 i32 written (checked above); unaligned store (SSE2,
    // part of the x86-64 baseline).
    unsafe { _mm_storeu_si128(dst.as_mut_ptr() as *mut __m128i, v) }
}

/// Block sums of blocks `0..nb` of the band from pixel `x0`: groups of four blocks with
/// AVX2, the rest one by one. (`_cols` is the generic kernel's scratch, not needed here.)
#[target_feature(enable = "avx2")]
fn block_row_avx2(
    band: &Band<'_, u8>,
    x0: usize,
    nb: usize,
    _cols: &mut ColumnsU8,
    out: &mut BlockRowU8,
) {
    let npx = 4 * nb;
    let a: [&[u8]; 4] = core::array::from_fn(|r| &band.0[r][x0..x0 + npx]);
    let b: [&[u8]; 4] = core::array::from_fn(|r| &band.1[r][x0..x0 + npx]);
    let ones = _mm256_set1_epi16(1);
    let mut i = 0;
    while 4 * i + 16 <= npx {
        let p = 4 * i;
        let (mut sa, mut sb) = (_mm256_setzero_si256(), _mm256_setzero_si256());
        let (mut ss, mut s12) = (_mm256_setzero_si256(), _mm256_setzero_si256());
        for r in 0..4 {
            let (ra, rb) = (&a[r][p..p + 16], &b[r][p..p + 16]);
            // SAFETY: `ra` and `rb` hold exactly the 16 bytes read; unaligned loads.
            let (va, vb) = unsafe {
                (
                    _mm_loadu_si128(ra.as_ptr() as *const __m128i),
                    _mm_loadu_si128(rb.as_ptr() as *const __m128i),
                )
            };
            let (wa, wb) = (_mm256_cvtepu8_epi16(va), _mm256_cvtepu8_epi16(vb));
            // Column sums of 4 rows stay below 2^15 (4 * 255).
            sa = _mm256_add_epi16(sa, wa);
            sb = _mm256_add_epi16(sb, wb);
            ss = _mm256_add_epi32(ss, _mm256_madd_epi16(wa, wa));
            ss = _mm256_add_epi32(ss, _mm256_madd_epi16(wb, wb));
            s12 = _mm256_add_epi32(s12, _mm256_madd_epi16(wa, wb));
        }
        // Pair sums (8 lanes of 2 columns) -> block sums with hadd; lanes come out as
        // [x0 x1 y0 y1 | x2 x3 y2 y3], reordered to [x0..x3 | y0..y3].
        let pa = _mm256_madd_epi16(sa, ones);
        let pb = _mm256_madd_epi16(sb, ones);
        let s = _mm256_permute4x64_epi64(_mm256_hadd_epi32(pa, pb), 0b11_01_10_00);
        let q = _mm256_permute4x64_epi64(_mm256_hadd_epi32(ss, s12), 0b11_01_10_00);
        store4(&mut out.s1[i..i + 4], _mm256_castsi256_si128(s));
        store4(&mut out.s2[i..i + 4], _mm256_extracti128_si256(s, 1));
        store4(&mut out.ss[i..i + 4], _mm256_castsi256_si128(q));
        store4(&mut out.s12[i..i + 4], _mm256_extracti128_si256(q, 1));
        i += 4;
    }
    // The last blocks (fewer than four), one by one.
    for i in i..nb {
        let (mut s1, mut s2, mut ss, mut s12) = (0i32, 0i32, 0i32, 0i32);
        for r in 0..4 {
            for (&u, &v) in a[r][4 * i..4 * i + 4].iter().zip(&b[r][4 * i..4 * i + 4]) {
                let (u, v) = (u as i32, v as i32);
                s1 += u;
                s2 += v;
                ss += u * u + v * v;
                s12 += u * v;
            }
        }
        out.s1[i] = s1;
        out.s2[i] = s2;
        out.ss[i] = ss;
        out.s12[i] = s12;
    }
}

/// [`block_row_avx2`] with AVX-512BW: 32 pixels = 8 blocks per step, the pair sums folded
/// to block sums by adding each 64-bit lane's halves and narrowing (`vpmovqd`).
#[target_feature(enable = "avx512f,avx512bw")]
fn block_row_avx512(
    band: &Band<'_, u8>,
    x0: usize,
    nb: usize,
    cols: &mut ColumnsU8,
    out: &mut BlockRowU8,
) {
    let npx = 4 * nb;
    let a: [&[u8]; 4] = core::array::from_fn(|r| &band.0[r][x0..x0 + npx]);
    let b: [&[u8]; 4] = core::array::from_fn(|r| &band.1[r][x0..x0 + npx]);
    let ones = _mm512_set1_epi16(1);
    let fold = |v: __m512i| _mm512_cvtepi64_epi32(_mm512_add_epi32(v, _mm512_srli_epi64(v, 32)));
    let mut i = 0;
    while 4 * i + 32 <= npx {
        let p = 4 * i;
        let (mut sa, mut sb) = (_mm512_setzero_si512(), _mm512_setzero_si512());
        let (mut ss, mut s12) = (_mm512_setzero_si512(), _mm512_setzero_si512());
        for r in 0..4 {
            let (ra, rb) = (&a[r][p..p + 32], &b[r][p..p + 32]);
            // SAFETY: `ra` and `rb` hold exactly the 32 bytes read; unaligned loads.
            let (va, vb) = unsafe {
                (
                    _mm256_loadu_si256(ra.as_ptr() as *const __m256i),
                    _mm256_loadu_si256(rb.as_ptr() as *const __m256i),
                )
            };
            let (wa, wb) = (_mm512_cvtepu8_epi16(va), _mm512_cvtepu8_epi16(vb));
            sa = _mm512_add_epi16(sa, wa);
            sb = _mm512_add_epi16(sb, wb);
            ss = _mm512_add_epi32(ss, _mm512_madd_epi16(wa, wa));
            ss = _mm512_add_epi32(ss, _mm512_madd_epi16(wb, wb));
            s12 = _mm512_add_epi32(s12, _mm512_madd_epi16(wa, wb));
        }
        store8(&mut out.s1[i..i + 8], fold(_mm512_madd_epi16(sa, ones)));
        store8(&mut out.s2[i..i + 8], fold(_mm512_madd_epi16(sb, ones)));
        store8(&mut out.ss[i..i + 8], fold(ss));
        store8(&mut out.s12[i..i + 8], fold(s12));
        i += 8;
    }
    if i < nb {
        // AVX-512F implies AVX2: a safe call from this frame.
        tail_avx2(band, x0, i, nb, cols, out);
    }
}

/// Blocks `i..nb` with [`block_row_avx2`]'s code, results in place.
#[target_feature(enable = "avx2")]
fn tail_avx2(
    band: &Band<'_, u8>,
    x0: usize,
    i: usize,
    nb: usize,
    cols: &mut ColumnsU8,
    out: &mut BlockRowU8,
) {
    let mut part = *out;
    block_row_avx2(band, x0 + 4 * i, nb - i, cols, &mut part);
    let n = nb - i;
    out.s1[i..nb].copy_from_slice(&part.s1[..n]);
    out.s2[i..nb].copy_from_slice(&part.s2[..n]);
    out.ss[i..nb].copy_from_slice(&part.ss[..n]);
    out.s12[i..nb].copy_from_slice(&part.s12[..n]);
}

/// Stores eight i32 lanes into `dst`, which must hold exactly eight.
#[inline(always)]
fn store8(dst: &mut [i32], v: __m256i) {
    assert_eq!(dst.len(), 8);
    // SAFETY: `dst` holds exactly the 8 i32 written (checked above); unaligned store, and
    // only called from AVX-512 frames (which have AVX).
    unsafe { _mm256_storeu_si256(dst.as_mut_ptr() as *mut __m256i, v) }
}

#[target_feature(enable = "avx512f,avx512bw")]
fn plane_sum_u8_avx512<T: Sample>(
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    ww: usize,
    wh: usize,
    c: (i32, i32),
) -> Result<f64> {
    plane_sum_u8_by(x, y, ww, wh, c, |band, x0, nb, cols, out| {
        block_row_avx512(band, x0, nb, cols, out)
    })
}

/// AVX-512BW: leaf 7, EBX bit 30, on top of the OS and AVX-512F checks of `has_avx512`.
fn has_avx512bw() -> bool {
    super::has_avx512() && super::cpuid(7, 0).ebx & (1 << 30) != 0
}

/// The sum of the plane's window values on AVX-512BW, or `None` when this CPU lacks it.
pub(crate) fn plane_sum_u8_512<T: Sample>(
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    ww: usize,
    wh: usize,
    c: (i32, i32),
) -> Option<Result<f64>> {
    if !has_avx512bw() {
        return None;
    }
    // SAFETY: AVX-512F and BW support (CPUID and the OS's zmm and mask state) was just
    // confirmed.
    Some(unsafe { plane_sum_u8_avx512(x, y, ww, wh, c) })
}

#[target_feature(enable = "avx2")]
fn plane_sum_u8_avx2<T: Sample>(
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    ww: usize,
    wh: usize,
    c: (i32, i32),
) -> Result<f64> {
    // The closure inherits this function's AVX2 frame.
    plane_sum_u8_by(x, y, ww, wh, c, |band, x0, nb, cols, out| {
        block_row_avx2(band, x0, nb, cols, out)
    })
}

/// The sum of the plane's window values on AVX2, or `None` when this CPU lacks it.
pub(crate) fn plane_sum_u8<T: Sample>(
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    ww: usize,
    wh: usize,
    c: (i32, i32),
) -> Option<Result<f64>> {
    if !super::has_avx2_fma() {
        return None;
    }
    // SAFETY: AVX2 support (CPUID and the OS's ymm state) was just confirmed.
    Some(unsafe { plane_sum_u8_avx2(x, y, ww, wh, c) })
}
