//! The AVX2+FMA backend: 8 f32 / 4 f64 lanes in ymm registers.

use crate::lanes::{Lanes, Rows};
use core::arch::x86_64::*;

/// Proof that the CPU runs AVX2 and FMA and the OS saves ymm registers.
#[derive(Clone, Copy)]
pub(crate) struct Avx2(());

impl Avx2 {
    /// # Safety
    /// The CPU must support AVX2 and FMA and the OS must have enabled ymm state
    /// ([`super::has_avx2_fma`]).
    #[inline(always)]
    pub(crate) unsafe fn new_unchecked() -> Avx2 {
        Avx2(())
    }
}

// Every `unsafe` block below calls an AVX/AVX2/FMA intrinsic. SAFETY for all of them: a
// value of `Avx2` exists only after AVX2+FMA support was confirmed (`Avx2::new_unchecked`),
// and every pointer comes from a slice just bounds-checked to hold the lanes accessed.
impl Lanes for Avx2 {
    const F: usize = 8;
    const D: usize = 4;
    const REGISTERS: usize = 16;
    type V = __m256;
    type W = __m256d;
    type I = __m256i;
    type H = __m256i;

    #[inline(always)]
    fn splat(self, v: f32) -> __m256 {
        // SAFETY: see the impl comment.
        unsafe { _mm256_set1_ps(v) }
    }
    #[inline(always)]
    fn load(self, s: &[f32], i: usize) -> __m256 {
        let s = &s[i..i + 8];
        // SAFETY: see the impl comment; `s` holds 8 f32.
        unsafe { _mm256_loadu_ps(s.as_ptr()) }
    }
    #[inline(always)]
    fn load_at<const CAP: usize>(self, rows: &Rows<'_, CAP>, t: usize, i: usize) -> __m256 {
        let p = rows.at(t, i, 8);
        // SAFETY: see the impl comment; `Rows::at` checked that 8 f32 from `p` are in a row.
        unsafe { _mm256_loadu_ps(p) }
    }
    #[inline(always)]
    fn store(self, v: __m256, d: &mut [f32], i: usize) {
        let d = &mut d[i..i + 8];
        // SAFETY: see the impl comment; `d` holds 8 f32.
        unsafe { _mm256_storeu_ps(d.as_mut_ptr(), v) }
    }
    #[inline(always)]
    fn add(self, a: __m256, b: __m256) -> __m256 {
        // SAFETY: see the impl comment.
        unsafe { _mm256_add_ps(a, b) }
    }
    #[inline(always)]
    fn sub(self, a: __m256, b: __m256) -> __m256 {
        // SAFETY: see the impl comment.
        unsafe { _mm256_sub_ps(a, b) }
    }
    #[inline(always)]
    fn mul(self, a: __m256, b: __m256) -> __m256 {
        // SAFETY: see the impl comment.
        unsafe { _mm256_mul_ps(a, b) }
    }
    #[inline(always)]
    fn div(self, a: __m256, b: __m256) -> __m256 {
        // SAFETY: see the impl comment.
        unsafe { _mm256_div_ps(a, b) }
    }
    #[inline(always)]
    fn max(self, a: __m256, b: __m256) -> __m256 {
        // SAFETY: see the impl comment.
        unsafe { _mm256_max_ps(a, b) }
    }
    #[inline(always)]
    fn mul_add(self, a: __m256, b: __m256, c: __m256) -> __m256 {
        // SAFETY: see the impl comment.
        unsafe { _mm256_fmadd_ps(a, b, c) }
    }
    #[inline(always)]
    fn tree16(self, v: &[__m256]) -> Option<f32> {
        let &[lo, hi] = v else { return None };
        // SAFETY: see the impl comment (register operations only).
        Some(super::tree8(unsafe { _mm256_add_ps(lo, hi) }))
    }
    #[inline(always)]
    fn neg_mul_add(self, a: __m256, b: __m256, c: __m256) -> __m256 {
        // SAFETY: see the impl comment.
        unsafe { _mm256_fnmadd_ps(a, b, c) }
    }
    #[inline(always)]
    fn load_u8(self, s: &[u8], i: usize) -> __m256 {
        let s = &s[i..i + 8];
        // SAFETY: see the impl comment; `s` holds the 8 bytes `_mm_loadl_epi64` reads.
        unsafe {
            let b = _mm_loadl_epi64(s.as_ptr().cast());
            _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(b))
        }
    }
    #[inline(always)]
    fn load_u16(self, s: &[u16], i: usize) -> __m256 {
        let s = &s[i..i + 8];
        // SAFETY: see the impl comment; `s` holds the 16 bytes `_mm_loadu_si128` reads.
        unsafe {
            let h = _mm_loadu_si128(s.as_ptr().cast());
            _mm256_cvtepi32_ps(_mm256_cvtepu16_epi32(h))
        }
    }
    #[inline(always)]
    fn pair_add(self, a: __m256, b: __m256) -> __m256 {
        // SAFETY: see the impl comment. `hadd` sums adjacent pairs within each 128-bit half,
        // `[a01 a23 b01 b23 | a45 a67 b45 b67]`; the 64-bit permutation puts `a` before `b`.
        unsafe {
            let h = _mm256_castps_pd(_mm256_hadd_ps(a, b));
            _mm256_castpd_ps(_mm256_permute4x64_pd::<0b11_01_10_00>(h))
        }
    }
    #[inline(always)]
    fn load_u8_pairs(self, s: &[u8], i: usize) -> __m256 {
        let s = &s[i..i + 16];
        // SAFETY: see the impl comment; `s` holds the 16 bytes `_mm_loadu_si128` reads.
        // `maddubs` multiplies the unsigned bytes by 1 and adds adjacent products into i16:
        // at most 510, so it never saturates.
        unsafe {
            let b = _mm_loadu_si128(s.as_ptr().cast());
            let pairs = _mm_maddubs_epi16(b, _mm_set1_epi8(1));
            _mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(pairs))
        }
    }
    #[inline(always)]
    fn prefetch(self, p: *const u8) {
        // SAFETY: a prefetch is a hint that never faults, whatever the address.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p.cast()) }
    }
    #[inline(always)]
    fn to_int(self, v: __m256) -> __m256i {
        // SAFETY: see the impl comment.
        unsafe { _mm256_cvtps_epi32(v) }
    }
    #[inline(always)]
    fn mul_int(self, a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: see the impl comment.
        unsafe { _mm256_mullo_epi32(a, b) }
    }
    #[inline(always)]
    fn sub_int(self, a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: see the impl comment.
        unsafe { _mm256_sub_epi32(a, b) }
    }
    #[inline(always)]
    fn add_int(self, a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: see the impl comment.
        unsafe { _mm256_add_epi32(a, b) }
    }
    #[inline(always)]
    fn to_float(self, v: __m256i) -> __m256 {
        // SAFETY: see the impl comment.
        unsafe { _mm256_cvtepi32_ps(v) }
    }
    #[inline(always)]
    fn splat_int(self, v: i32) -> __m256i {
        // SAFETY: see the impl comment.
        unsafe { _mm256_set1_epi32(v) }
    }
    #[inline(always)]
    fn load_int(self, s: &[i32], i: usize) -> __m256i {
        let s = &s[i..i + 8];
        // SAFETY: see the impl comment; `s` holds 8 i32.
        unsafe { _mm256_loadu_si256(s.as_ptr().cast()) }
    }
    #[inline(always)]
    fn store_int(self, v: __m256i, d: &mut [i32], i: usize) {
        let d = &mut d[i..i + 8];
        // SAFETY: see the impl comment; `d` holds 8 i32.
        unsafe { _mm256_storeu_si256(d.as_mut_ptr().cast(), v) }
    }
    #[inline(always)]
    fn pair_add_int(self, a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: see the impl comment. As `pair_add`: `hadd` within the 128-bit halves,
        // then the 64-bit permutation puts `a` before `b`.
        unsafe { _mm256_permute4x64_epi64::<0b11_01_10_00>(_mm256_hadd_epi32(a, b)) }
    }
    #[inline(always)]
    fn load_u8_h(self, s: &[u8], i: usize) -> __m256i {
        let s = &s[i..i + 16];
        // SAFETY: see the impl comment; `s` holds the 16 bytes `_mm_loadu_si128` reads.
        unsafe { _mm256_cvtepu8_epi16(_mm_loadu_si128(s.as_ptr().cast())) }
    }
    #[cfg(feature = "u16")]
    #[inline(always)]
    fn load_u16_h(self, s: &[u16], i: usize) -> __m256i {
        let s = &s[i..i + 16];
        // SAFETY: see the impl comment; `s` holds the 32 bytes `_mm256_loadu_si256` reads.
        unsafe { _mm256_loadu_si256(s.as_ptr().cast()) }
    }
    #[inline(always)]
    fn add_h(self, a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: see the impl comment.
        unsafe { _mm256_add_epi16(a, b) }
    }
    #[inline(always)]
    fn madd_h(self, a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: see the impl comment.
        unsafe { _mm256_madd_epi16(a, b) }
    }
    #[inline(always)]
    fn pair_sums_h(self, a: __m256i) -> __m256i {
        // SAFETY: see the impl comment.
        unsafe { _mm256_madd_epi16(a, _mm256_set1_epi16(1)) }
    }
    #[cfg(feature = "box-columns")]
    #[inline(always)]
    fn load_u8_xy(self, x: &[u8], y: &[u8], i: usize) -> __m256i {
        let (x, y) = (&x[i..i + 8], &y[i..i + 8]);
        // SAFETY: see the impl comment; `x` and `y` hold the 8 bytes each `_mm_loadl_epi64`
        // reads. Bytes interleaved `x0 y0 x1 y1 ..`, then zero-extended to 16 bits.
        unsafe {
            let a = _mm_loadl_epi64(x.as_ptr().cast());
            let b = _mm_loadl_epi64(y.as_ptr().cast());
            _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(a, b))
        }
    }
    #[cfg(feature = "box-columns")]
    #[inline(always)]
    fn add_pairs(self, a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: see the impl comment.
        unsafe { _mm256_add_epi16(a, b) }
    }
    #[cfg(feature = "box-columns")]
    #[inline(always)]
    fn sub_pairs(self, a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: see the impl comment.
        unsafe { _mm256_sub_epi16(a, b) }
    }
    #[cfg(feature = "box-columns")]
    #[inline(always)]
    fn madd_pairs(self, a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: see the impl comment.
        unsafe { _mm256_madd_epi16(a, b) }
    }
    #[cfg(feature = "box-columns")]
    #[inline(always)]
    fn swap_pairs(self, a: __m256i) -> __m256i {
        // SAFETY: see the impl comment.
        unsafe {
            let swap = _mm256_setr_epi8(
                2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5, 10,
                11, 8, 9, 14, 15, 12, 13,
            );
            _mm256_shuffle_epi8(a, swap)
        }
    }
    #[inline(always)]
    fn splat_d(self, v: f64) -> __m256d {
        // SAFETY: see the impl comment.
        unsafe { _mm256_set1_pd(v) }
    }
    #[inline(always)]
    fn load_d_at<const CAP: usize>(self, rows: &Rows<'_, CAP, f64>, t: usize, i: usize) -> __m256d {
        let p = rows.at(t, i, 4);
        // SAFETY: see the impl comment; `Rows::at` checked that 4 f64 from `p` are in a row.
        unsafe { _mm256_loadu_pd(p) }
    }
    #[inline(always)]
    fn load_d(self, s: &[f64], i: usize) -> __m256d {
        let s = &s[i..i + 4];
        // SAFETY: see the impl comment; `s` holds 4 f64.
        unsafe { _mm256_loadu_pd(s.as_ptr()) }
    }
    #[inline(always)]
    fn store_d(self, v: __m256d, d: &mut [f64], i: usize) {
        let d = &mut d[i..i + 4];
        // SAFETY: see the impl comment; `d` holds 4 f64.
        unsafe { _mm256_storeu_pd(d.as_mut_ptr(), v) }
    }
    #[inline(always)]
    fn widen_d(self, s: &[f32], i: usize) -> __m256d {
        let s = &s[i..i + 4];
        // SAFETY: see the impl comment; `s` holds 4 f32.
        unsafe { _mm256_cvtps_pd(_mm_loadu_ps(s.as_ptr())) }
    }
    #[inline(always)]
    fn store_narrow_d(self, v: __m256d, d: &mut [f32], i: usize) {
        let d = &mut d[i..i + 4];
        // SAFETY: see the impl comment; `d` holds 4 f32.
        unsafe { _mm_storeu_ps(d.as_mut_ptr(), _mm256_cvtpd_ps(v)) }
    }
    #[inline(always)]
    fn add_d(self, a: __m256d, b: __m256d) -> __m256d {
        // SAFETY: see the impl comment.
        unsafe { _mm256_add_pd(a, b) }
    }
    #[inline(always)]
    fn sub_d(self, a: __m256d, b: __m256d) -> __m256d {
        // SAFETY: see the impl comment.
        unsafe { _mm256_sub_pd(a, b) }
    }
    #[inline(always)]
    fn mul_d(self, a: __m256d, b: __m256d) -> __m256d {
        // SAFETY: see the impl comment.
        unsafe { _mm256_mul_pd(a, b) }
    }
    #[inline(always)]
    fn div_d(self, a: __m256d, b: __m256d) -> __m256d {
        // SAFETY: see the impl comment.
        unsafe { _mm256_div_pd(a, b) }
    }
}
