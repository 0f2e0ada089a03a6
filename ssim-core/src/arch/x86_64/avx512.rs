//! The AVX-512 backend: 16 f32 / 8 f64 lanes in zmm registers (AVX-512F; BW for the 16-bit
//! lanes of FFmpeg's 8-bit SSIM kernels).

use crate::lanes::{Lanes, Rows};
use core::arch::x86_64::*;

/// Proof that the CPU runs AVX-512F and BW, AVX2 and FMA and the OS saves zmm and opmask registers.
#[derive(Clone, Copy)]
pub(crate) struct Avx512(());

impl Avx512 {
    /// # Safety
    /// The CPU must support AVX-512F and BW, AVX2 and FMA and the OS must have enabled zmm state
    /// ([`super::has_avx512`]).
    #[inline(always)]
    pub(crate) unsafe fn new_unchecked() -> Avx512 {
        Avx512(())
    }
}

// Every `unsafe` block below calls an AVX-512F/BW/AVX/AVX2 intrinsic. SAFETY for all of them: a
// value of `Avx512` exists only after AVX-512F and BW support was confirmed (`Avx512::new_unchecked`),
// and every pointer comes from a slice just bounds-checked to hold the lanes accessed.
impl Lanes for Avx512 {
    const F: usize = 16;
    const D: usize = 8;
    const REGISTERS: usize = 32;
    type V = __m512;
    type W = __m512d;
    type I = __m512i;
    type H = __m512i;

    #[inline(always)]
    fn splat(self, v: f32) -> __m512 {
        // SAFETY: see the impl comment.
        unsafe { _mm512_set1_ps(v) }
    }
    #[inline(always)]
    fn load(self, s: &[f32], i: usize) -> __m512 {
        let s = &s[i..i + 16];
        // SAFETY: see the impl comment; `s` holds 16 f32.
        unsafe { _mm512_loadu_ps(s.as_ptr()) }
    }
    #[inline(always)]
    fn load_at<const CAP: usize>(self, rows: &Rows<'_, CAP>, t: usize, i: usize) -> __m512 {
        let p = rows.at(t, i, 16);
        // SAFETY: see the impl comment; `Rows::at` checked that 16 f32 from `p` are in a row.
        unsafe { _mm512_loadu_ps(p) }
    }
    #[inline(always)]
    fn store(self, v: __m512, d: &mut [f32], i: usize) {
        let d = &mut d[i..i + 16];
        // SAFETY: see the impl comment; `d` holds 16 f32.
        unsafe { _mm512_storeu_ps(d.as_mut_ptr(), v) }
    }
    #[inline(always)]
    fn add(self, a: __m512, b: __m512) -> __m512 {
        // SAFETY: see the impl comment.
        unsafe { _mm512_add_ps(a, b) }
    }
    #[inline(always)]
    fn sub(self, a: __m512, b: __m512) -> __m512 {
        // SAFETY: see the impl comment.
        unsafe { _mm512_sub_ps(a, b) }
    }
    #[inline(always)]
    fn mul(self, a: __m512, b: __m512) -> __m512 {
        // SAFETY: see the impl comment.
        unsafe { _mm512_mul_ps(a, b) }
    }
    #[inline(always)]
    fn div(self, a: __m512, b: __m512) -> __m512 {
        // SAFETY: see the impl comment.
        unsafe { _mm512_div_ps(a, b) }
    }
    #[inline(always)]
    fn max(self, a: __m512, b: __m512) -> __m512 {
        // SAFETY: see the impl comment.
        unsafe { _mm512_max_ps(a, b) }
    }
    #[inline(always)]
    fn mul_add(self, a: __m512, b: __m512, c: __m512) -> __m512 {
        // SAFETY: see the impl comment.
        unsafe { _mm512_fmadd_ps(a, b, c) }
    }
    #[inline(always)]
    fn tree16(self, v: &[__m512]) -> Option<f32> {
        let &[v] = v else { return None };
        // SAFETY: see the impl comment (register operations only).
        unsafe {
            let hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
            Some(super::tree8(_mm256_add_ps(_mm512_castps512_ps256(v), hi)))
        }
    }
    #[inline(always)]
    fn neg_mul_add(self, a: __m512, b: __m512, c: __m512) -> __m512 {
        // SAFETY: see the impl comment.
        unsafe { _mm512_fnmadd_ps(a, b, c) }
    }
    #[inline(always)]
    fn load_u8(self, s: &[u8], i: usize) -> __m512 {
        let s = &s[i..i + 16];
        // SAFETY: see the impl comment; `s` holds the 16 bytes `_mm_loadu_si128` reads.
        unsafe {
            let b = _mm_loadu_si128(s.as_ptr().cast());
            _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(b))
        }
    }
    #[inline(always)]
    fn load_u16(self, s: &[u16], i: usize) -> __m512 {
        let s = &s[i..i + 16];
        // SAFETY: see the impl comment; `s` holds the 32 bytes `_mm256_loadu_si256` reads.
        unsafe {
            let h = _mm256_loadu_si256(s.as_ptr().cast());
            _mm512_cvtepi32_ps(_mm512_cvtepu16_epi32(h))
        }
    }
    #[inline(always)]
    fn load_u8_every<const K: usize>(self, s: &[u8]) -> Option<__m512> {
        // Word `3j / 2` holds byte `3j` in its low or high half: one permute of words across
        // the register puts it into dword `j`, a per-lane shift and a mask isolate it.
        const WORDS3: [u16; 32] = {
            let mut w = [0u16; 32];
            let mut j = 0;
            while j < 16 {
                w[2 * j] = (3 * j / 2) as u16;
                j += 1;
            }
            w
        };
        const SHIFTS3: [u32; 16] = {
            let mut v = [0u32; 16];
            let mut j = 0;
            while j < 16 {
                v[j] = 8 * ((3 * j) % 2) as u32;
                j += 1;
            }
            v
        };
        if !(2..=4).contains(&K) {
            return None;
        }
        let n = K * 15 + 1;
        // SAFETY: see the impl comment; a plain load where `s` holds 64 bytes (the permute
        // and the mask below use only the first `n`), else the masked load, which reads only
        // the `n` bytes `s[..n]` holds (masked-out bytes are neither read nor faulted on);
        // the tables are 64 bytes each.
        unsafe {
            let v = if s.len() >= 64 {
                _mm512_loadu_si512(s.as_ptr().cast())
            } else {
                let s = &s[..n];
                _mm512_maskz_loadu_epi8(u64::MAX >> (64 - n), s.as_ptr().cast())
            };
            let lanes = match K {
                4 => v,
                3 => {
                    let idx = _mm512_loadu_si512(WORDS3.as_ptr().cast());
                    let words = _mm512_maskz_permutexvar_epi16(0x5555_5555, idx, v);
                    _mm512_srlv_epi32(words, _mm512_loadu_si512(SHIFTS3.as_ptr().cast()))
                }
                _ => return None,
            };
            let bytes = _mm512_and_si512(lanes, _mm512_set1_epi32(0xff));
            Some(_mm512_cvtepi32_ps(bytes))
        }
    }
    #[inline(always)]
    fn load_u16_every<const K: usize>(self, s: &[u16]) -> Option<__m512> {
        // Word `K j` into the low half of dword `j`, the high half zeroed.
        const fn words<const K: usize>() -> [u16; 32] {
            let mut w = [0u16; 32];
            let mut j = 0;
            while j < 16 {
                w[2 * j] = (K * j) as u16;
                j += 1;
            }
            w
        }
        if !(2..=4).contains(&K) {
            return None;
        }
        // At most 61 words: two registers of 32.
        let n = K * 15 + 1;
        let (lo, hi) = s[..n].split_at(n.min(32));
        let idx = words::<K>();
        let mask = |len: usize| if len == 0 { 0 } else { u32::MAX >> (32 - len) };
        // SAFETY: see the impl comment; each masked load reads only the words of its slice
        // (`lo`, `hi`: masked-out words are neither read nor faulted on); `idx` is 64 bytes.
        unsafe {
            let a = _mm512_maskz_loadu_epi16(mask(lo.len()), lo.as_ptr().cast());
            let b = _mm512_maskz_loadu_epi16(mask(hi.len()), hi.as_ptr().cast());
            let idx = _mm512_loadu_si512(idx.as_ptr().cast());
            let lanes = _mm512_maskz_permutex2var_epi16(0x5555_5555, a, idx, b);
            Some(_mm512_cvtepi32_ps(lanes))
        }
    }
    #[inline(always)]
    fn pair_add(self, a: __m512, b: __m512) -> __m512 {
        // SAFETY: see the impl comment.
        unsafe {
            let even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
            let odd = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
            _mm512_add_ps(
                _mm512_permutex2var_ps(a, even, b),
                _mm512_permutex2var_ps(a, odd, b),
            )
        }
    }
    #[inline(always)]
    fn load_u8_pairs(self, s: &[u8], i: usize) -> __m512 {
        let s = &s[i..i + 32];
        // SAFETY: see the impl comment; `s` holds the 32 bytes `_mm256_loadu_si256` reads.
        // `maddubs` (AVX2) multiplies the unsigned bytes by 1 and adds adjacent products into
        // i16: at most 510, so it never saturates.
        unsafe {
            let b = _mm256_loadu_si256(s.as_ptr().cast());
            let pairs = _mm256_maddubs_epi16(b, _mm256_set1_epi8(1));
            _mm512_cvtepi32_ps(_mm512_cvtepi16_epi32(pairs))
        }
    }
    #[inline(always)]
    fn prefetch(self, p: *const u8) {
        // SAFETY: a prefetch is a hint that never faults, whatever the address.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p.cast()) }
    }
    #[inline(always)]
    fn to_int(self, v: __m512) -> __m512i {
        // SAFETY: see the impl comment.
        unsafe { _mm512_cvtps_epi32(v) }
    }
    #[inline(always)]
    fn mul_int(self, a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: see the impl comment.
        unsafe { _mm512_mullo_epi32(a, b) }
    }
    #[inline(always)]
    fn sub_int(self, a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: see the impl comment.
        unsafe { _mm512_sub_epi32(a, b) }
    }
    #[inline(always)]
    fn add_int(self, a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: see the impl comment.
        unsafe { _mm512_add_epi32(a, b) }
    }
    #[inline(always)]
    fn to_float(self, v: __m512i) -> __m512 {
        // SAFETY: see the impl comment.
        unsafe { _mm512_cvtepi32_ps(v) }
    }
    #[inline(always)]
    fn splat_int(self, v: i32) -> __m512i {
        // SAFETY: see the impl comment.
        unsafe { _mm512_set1_epi32(v) }
    }
    #[inline(always)]
    fn load_int(self, s: &[i32], i: usize) -> __m512i {
        let s = &s[i..i + 16];
        // SAFETY: see the impl comment; `s` holds 16 i32.
        unsafe { _mm512_loadu_si512(s.as_ptr().cast()) }
    }
    #[inline(always)]
    fn store_int(self, v: __m512i, d: &mut [i32], i: usize) {
        let d = &mut d[i..i + 16];
        // SAFETY: see the impl comment; `d` holds 16 i32.
        unsafe { _mm512_storeu_si512(d.as_mut_ptr().cast(), v) }
    }
    #[inline(always)]
    fn pair_add_int(self, a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: see the impl comment.
        unsafe {
            let even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
            let odd = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
            _mm512_add_epi32(
                _mm512_permutex2var_epi32(a, even, b),
                _mm512_permutex2var_epi32(a, odd, b),
            )
        }
    }
    #[inline(always)]
    fn load_u8_h(self, s: &[u8], i: usize) -> __m512i {
        let s = &s[i..i + 32];
        // SAFETY: see the impl comment (AVX-512BW is part of the token's contract); `s`
        // holds the 32 bytes `_mm256_loadu_si256` reads.
        unsafe { _mm512_cvtepu8_epi16(_mm256_loadu_si256(s.as_ptr().cast())) }
    }
    #[cfg(feature = "u16")]
    #[inline(always)]
    fn load_u16_h(self, s: &[u16], i: usize) -> __m512i {
        let s = &s[i..i + 32];
        // SAFETY: see the impl comment; `s` holds the 64 bytes `_mm512_loadu_si512` reads.
        unsafe { _mm512_loadu_si512(s.as_ptr().cast()) }
    }
    #[inline(always)]
    fn add_h(self, a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: see the impl comment (AVX-512BW).
        unsafe { _mm512_add_epi16(a, b) }
    }
    #[inline(always)]
    fn madd_h(self, a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: see the impl comment (AVX-512BW).
        unsafe { _mm512_madd_epi16(a, b) }
    }
    #[inline(always)]
    fn pair_sums_h(self, a: __m512i) -> __m512i {
        // SAFETY: see the impl comment (AVX-512BW).
        unsafe { _mm512_madd_epi16(a, _mm512_set1_epi16(1)) }
    }
    #[cfg(feature = "box-columns")]
    #[inline(always)]
    fn load_u8_xy(self, x: &[u8], y: &[u8], i: usize) -> __m512i {
        let (x, y) = (&x[i..i + 16], &y[i..i + 16]);
        // SAFETY: see the impl comment (AVX-512BW); `x` and `y` hold the 16 bytes each load
        // reads. The bytes interleaved `x0 y0 x1 y1 ..` (two 128-bit halves), then
        // zero-extended to 16 bits. (A masked byte shuffle of a broadcast `y` over the
        // widened `x` became seven 256-bit shuffles and blends in LLVM's hands.)
        unsafe {
            let a = _mm_loadu_si128(x.as_ptr().cast());
            let b = _mm_loadu_si128(y.as_ptr().cast());
            let lo = _mm_unpacklo_epi8(a, b);
            let hi = _mm_unpackhi_epi8(a, b);
            _mm512_cvtepu8_epi16(_mm256_set_m128i(hi, lo))
        }
    }
    #[cfg(feature = "box-columns")]
    #[inline(always)]
    fn add_pairs(self, a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: see the impl comment (AVX-512BW).
        unsafe { _mm512_add_epi16(a, b) }
    }
    #[cfg(feature = "box-columns")]
    #[inline(always)]
    fn sub_pairs(self, a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: see the impl comment (AVX-512BW).
        unsafe { _mm512_sub_epi16(a, b) }
    }
    #[cfg(feature = "box-columns")]
    #[inline(always)]
    fn madd_pairs(self, a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: see the impl comment (AVX-512BW).
        unsafe { _mm512_madd_epi16(a, b) }
    }
    #[cfg(feature = "box-columns")]
    #[inline(always)]
    fn swap_pairs(self, a: __m512i) -> __m512i {
        // SAFETY: see the impl comment.
        unsafe { _mm512_rol_epi32::<16>(a) }
    }
    #[inline(always)]
    fn splat_d(self, v: f64) -> __m512d {
        // SAFETY: see the impl comment.
        unsafe { _mm512_set1_pd(v) }
    }
    #[inline(always)]
    fn load_d_at<const CAP: usize>(self, rows: &Rows<'_, CAP, f64>, t: usize, i: usize) -> __m512d {
        let p = rows.at(t, i, 8);
        // SAFETY: see the impl comment; `Rows::at` checked that 8 f64 from `p` are in a row.
        unsafe { _mm512_loadu_pd(p) }
    }
    #[inline(always)]
    fn load_d(self, s: &[f64], i: usize) -> __m512d {
        let s = &s[i..i + 8];
        // SAFETY: see the impl comment; `s` holds 8 f64.
        unsafe { _mm512_loadu_pd(s.as_ptr()) }
    }
    #[inline(always)]
    fn store_d(self, v: __m512d, d: &mut [f64], i: usize) {
        let d = &mut d[i..i + 8];
        // SAFETY: see the impl comment; `d` holds 8 f64.
        unsafe { _mm512_storeu_pd(d.as_mut_ptr(), v) }
    }
    #[inline(always)]
    fn widen_d(self, s: &[f32], i: usize) -> __m512d {
        let s = &s[i..i + 8];
        // SAFETY: see the impl comment; `s` holds 8 f32.
        unsafe { _mm512_cvtps_pd(_mm256_loadu_ps(s.as_ptr())) }
    }
    #[inline(always)]
    fn store_narrow_d(self, v: __m512d, d: &mut [f32], i: usize) {
        let d = &mut d[i..i + 8];
        // SAFETY: see the impl comment; `d` holds 8 f32.
        unsafe { _mm256_storeu_ps(d.as_mut_ptr(), _mm512_cvtpd_ps(v)) }
    }
    #[inline(always)]
    fn add_d(self, a: __m512d, b: __m512d) -> __m512d {
        // SAFETY: see the impl comment.
        unsafe { _mm512_add_pd(a, b) }
    }
    #[inline(always)]
    fn sub_d(self, a: __m512d, b: __m512d) -> __m512d {
        // SAFETY: see the impl comment.
        unsafe { _mm512_sub_pd(a, b) }
    }
    #[inline(always)]
    fn mul_d(self, a: __m512d, b: __m512d) -> __m512d {
        // SAFETY: see the impl comment.
        unsafe { _mm512_mul_pd(a, b) }
    }
    #[inline(always)]
    fn div_d(self, a: __m512d, b: __m512d) -> __m512d {
        // SAFETY: see the impl comment.
        unsafe { _mm512_div_pd(a, b) }
    }
}
