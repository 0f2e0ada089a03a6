//! The NEON backend: 4 f32 / 2 f64 lanes with fused multiply-add.

use crate::lanes::{Lanes, Rows};
use core::arch::aarch64::*;

/// Proof that the CPU runs Advanced SIMD (every aarch64 CPU Rust targets does).
#[derive(Clone, Copy)]
pub(crate) struct Neon(());

impl Neon {
    /// # Safety
    /// The CPU must support NEON (mandatory on aarch64 targets with the `neon` feature, which
    /// every aarch64 Rust target enables by default).
    #[inline(always)]
    pub(crate) unsafe fn new_unchecked() -> Neon {
        Neon(())
    }
}

// Every `unsafe` block below calls a NEON intrinsic. SAFETY for all of them: a value of
// `Neon` exists only where NEON is available (`Neon::new_unchecked`), and every pointer comes
// from a slice just bounds-checked to hold the lanes accessed.
impl Lanes for Neon {
    const F: usize = 4;
    const D: usize = 2;
    const REGISTERS: usize = 32;
    type V = float32x4_t;
    type W = float64x2_t;
    type I = int32x4_t;
    type H = int16x8_t;

    #[inline(always)]
    fn splat(self, v: f32) -> float32x4_t {
        // SAFETY: see the impl comment.
        unsafe { vdupq_n_f32(v) }
    }
    #[inline(always)]
    fn load(self, s: &[f32], i: usize) -> float32x4_t {
        let s = &s[i..i + 4];
        // SAFETY: see the impl comment; `s` holds 4 f32.
        unsafe { vld1q_f32(s.as_ptr()) }
    }
    #[inline(always)]
    fn load_at<const CAP: usize>(self, rows: &Rows<'_, CAP>, t: usize, i: usize) -> float32x4_t {
        let p = rows.at(t, i, 4);
        // SAFETY: see the impl comment; `Rows::at` checked that 4 f32 from `p` are in a row.
        unsafe { vld1q_f32(p) }
    }
    #[inline(always)]
    fn store(self, v: float32x4_t, d: &mut [f32], i: usize) {
        let d = &mut d[i..i + 4];
        // SAFETY: see the impl comment; `d` holds 4 f32.
        unsafe { vst1q_f32(d.as_mut_ptr(), v) }
    }
    #[inline(always)]
    fn add(self, a: float32x4_t, b: float32x4_t) -> float32x4_t {
        // SAFETY: see the impl comment.
        unsafe { vaddq_f32(a, b) }
    }
    #[inline(always)]
    fn sub(self, a: float32x4_t, b: float32x4_t) -> float32x4_t {
        // SAFETY: see the impl comment.
        unsafe { vsubq_f32(a, b) }
    }
    #[inline(always)]
    fn mul(self, a: float32x4_t, b: float32x4_t) -> float32x4_t {
        // SAFETY: see the impl comment.
        unsafe { vmulq_f32(a, b) }
    }
    #[inline(always)]
    fn div(self, a: float32x4_t, b: float32x4_t) -> float32x4_t {
        // SAFETY: see the impl comment.
        unsafe { vdivq_f32(a, b) }
    }
    #[inline(always)]
    fn max(self, a: float32x4_t, b: float32x4_t) -> float32x4_t {
        // SAFETY: see the impl comment.
        unsafe { vmaxq_f32(a, b) }
    }
    #[inline(always)]
    fn mul_add(self, a: float32x4_t, b: float32x4_t, c: float32x4_t) -> float32x4_t {
        // SAFETY: see the impl comment.
        unsafe { vfmaq_f32(c, a, b) }
    }
    #[inline(always)]
    fn load_u8(self, s: &[u8], i: usize) -> float32x4_t {
        let s = &s[i..i + 4];
        let bytes = u32::from_le_bytes([s[0], s[1], s[2], s[3]]);
        // SAFETY: see the impl comment (no memory access).
        unsafe {
            let b = vcreate_u8(bytes as u64);
            vcvtq_f32_u32(vmovl_u16(vget_low_u16(vmovl_u8(b))))
        }
    }
    #[inline(always)]
    fn load_u16(self, s: &[u16], i: usize) -> float32x4_t {
        let s = &s[i..i + 4];
        // SAFETY: see the impl comment; `s` holds 4 u16.
        unsafe { vcvtq_f32_u32(vmovl_u16(vld1_u16(s.as_ptr()))) }
    }
    #[inline(always)]
    fn pair_add(self, a: float32x4_t, b: float32x4_t) -> float32x4_t {
        // SAFETY: see the impl comment.
        unsafe { vpaddq_f32(a, b) }
    }
    #[inline(always)]
    fn load_u8_pairs(self, s: &[u8], i: usize) -> float32x4_t {
        let s = &s[i..i + 8];
        // SAFETY: see the impl comment; `s` holds the 8 bytes `vld1_u8` reads.
        unsafe {
            let pairs = vpaddl_u8(vld1_u8(s.as_ptr()));
            vcvtq_f32_u32(vmovl_u16(pairs))
        }
    }
    #[inline(always)]
    fn prefetch(self, _p: *const u8) {}
    #[inline(always)]
    fn to_int(self, v: float32x4_t) -> int32x4_t {
        // SAFETY: see the impl comment.
        unsafe { vcvtnq_s32_f32(v) }
    }
    #[inline(always)]
    fn mul_int(self, a: int32x4_t, b: int32x4_t) -> int32x4_t {
        // SAFETY: see the impl comment.
        unsafe { vmulq_s32(a, b) }
    }
    #[inline(always)]
    fn sub_int(self, a: int32x4_t, b: int32x4_t) -> int32x4_t {
        // SAFETY: see the impl comment.
        unsafe { vsubq_s32(a, b) }
    }
    #[inline(always)]
    fn add_int(self, a: int32x4_t, b: int32x4_t) -> int32x4_t {
        // SAFETY: see the impl comment.
        unsafe { vaddq_s32(a, b) }
    }
    #[inline(always)]
    fn to_float(self, v: int32x4_t) -> float32x4_t {
        // SAFETY: see the impl comment.
        unsafe { vcvtq_f32_s32(v) }
    }
    #[inline(always)]
    fn splat_int(self, v: i32) -> int32x4_t {
        // SAFETY: see the impl comment.
        unsafe { vdupq_n_s32(v) }
    }
    #[inline(always)]
    fn load_int(self, s: &[i32], i: usize) -> int32x4_t {
        let s = &s[i..i + 4];
        // SAFETY: see the impl comment; `s` holds 4 i32.
        unsafe { vld1q_s32(s.as_ptr()) }
    }
    #[inline(always)]
    fn store_int(self, v: int32x4_t, d: &mut [i32], i: usize) {
        let d = &mut d[i..i + 4];
        // SAFETY: see the impl comment; `d` holds 4 i32.
        unsafe { vst1q_s32(d.as_mut_ptr(), v) }
    }
    #[inline(always)]
    fn pair_add_int(self, a: int32x4_t, b: int32x4_t) -> int32x4_t {
        // SAFETY: see the impl comment.
        unsafe { vpaddq_s32(a, b) }
    }
    #[inline(always)]
    fn load_u8_h(self, s: &[u8], i: usize) -> int16x8_t {
        let s = &s[i..i + 8];
        // SAFETY: see the impl comment; `s` holds the 8 bytes `vld1_u8` reads.
        unsafe { vreinterpretq_s16_u16(vmovl_u8(vld1_u8(s.as_ptr()))) }
    }
    #[cfg(feature = "u16")]
    #[inline(always)]
    fn load_u16_h(self, s: &[u16], i: usize) -> int16x8_t {
        let s = &s[i..i + 8];
        // SAFETY: see the impl comment; `s` holds the 8 samples `vld1q_u16` reads.
        unsafe { vreinterpretq_s16_u16(vld1q_u16(s.as_ptr())) }
    }
    #[inline(always)]
    fn add_h(self, a: int16x8_t, b: int16x8_t) -> int16x8_t {
        // SAFETY: see the impl comment.
        unsafe { vaddq_s16(a, b) }
    }
    #[inline(always)]
    fn madd_h(self, a: int16x8_t, b: int16x8_t) -> int32x4_t {
        // SAFETY: see the impl comment. The widening products of the low and high halves,
        // then adjacent pairs summed: x86's `pmaddwd`.
        unsafe {
            let lo = vmull_s16(vget_low_s16(a), vget_low_s16(b));
            vpaddq_s32(lo, vmull_high_s16(a, b))
        }
    }
    #[inline(always)]
    fn pair_sums_h(self, a: int16x8_t) -> int32x4_t {
        // SAFETY: see the impl comment.
        unsafe { vpaddlq_s16(a) }
    }
    #[cfg(feature = "box-columns")]
    #[inline(always)]
    fn load_u8_xy(self, x: &[u8], y: &[u8], i: usize) -> int32x4_t {
        let (x, y) = (&x[i..i + 4], &y[i..i + 4]);
        // Four bytes each: through a lane of a u32 (no 4-byte NEON load).
        let word = |s: &[u8]| u32::from_le_bytes([s[0], s[1], s[2], s[3]]);
        // SAFETY: see the impl comment. Bytes interleaved `x0 y0 x1 y1 ..`, then widened.
        unsafe {
            let a = vreinterpret_u8_u32(vdup_n_u32(word(x)));
            let b = vreinterpret_u8_u32(vdup_n_u32(word(y)));
            vreinterpretq_s32_u16(vmovl_u8(vzip1_u8(a, b)))
        }
    }
    #[cfg(feature = "box-columns")]
    #[inline(always)]
    fn add_pairs(self, a: int32x4_t, b: int32x4_t) -> int32x4_t {
        // SAFETY: see the impl comment.
        unsafe {
            vreinterpretq_s32_s16(vaddq_s16(
                vreinterpretq_s16_s32(a),
                vreinterpretq_s16_s32(b),
            ))
        }
    }
    #[cfg(feature = "box-columns")]
    #[inline(always)]
    fn sub_pairs(self, a: int32x4_t, b: int32x4_t) -> int32x4_t {
        // SAFETY: see the impl comment.
        unsafe {
            vreinterpretq_s32_s16(vsubq_s16(
                vreinterpretq_s16_s32(a),
                vreinterpretq_s16_s32(b),
            ))
        }
    }
    #[cfg(feature = "box-columns")]
    #[inline(always)]
    fn madd_pairs(self, a: int32x4_t, b: int32x4_t) -> int32x4_t {
        // SAFETY: see the impl comment.
        let (a, b) = unsafe { (vreinterpretq_s16_s32(a), vreinterpretq_s16_s32(b)) };
        self.madd_h(a, b)
    }
    #[cfg(feature = "box-columns")]
    #[inline(always)]
    fn swap_pairs(self, a: int32x4_t) -> int32x4_t {
        // SAFETY: see the impl comment.
        unsafe { vreinterpretq_s32_s16(vrev32q_s16(vreinterpretq_s16_s32(a))) }
    }
    #[inline(always)]
    fn splat_d(self, v: f64) -> float64x2_t {
        // SAFETY: see the impl comment.
        unsafe { vdupq_n_f64(v) }
    }
    #[inline(always)]
    fn load_d(self, s: &[f64], i: usize) -> float64x2_t {
        let s = &s[i..i + 2];
        // SAFETY: see the impl comment; `s` holds 2 f64.
        unsafe { vld1q_f64(s.as_ptr()) }
    }
    #[inline(always)]
    fn store_d(self, v: float64x2_t, d: &mut [f64], i: usize) {
        let d = &mut d[i..i + 2];
        // SAFETY: see the impl comment; `d` holds 2 f64.
        unsafe { vst1q_f64(d.as_mut_ptr(), v) }
    }
    #[inline(always)]
    fn widen_d(self, s: &[f32], i: usize) -> float64x2_t {
        let s = &s[i..i + 2];
        // SAFETY: see the impl comment; `s` holds 2 f32.
        unsafe { vcvt_f64_f32(vld1_f32(s.as_ptr())) }
    }
    #[inline(always)]
    fn store_narrow_d(self, v: float64x2_t, d: &mut [f32], i: usize) {
        let d = &mut d[i..i + 2];
        // SAFETY: see the impl comment; `d` holds 2 f32.
        unsafe { vst1_f32(d.as_mut_ptr(), vcvt_f32_f64(v)) }
    }
    #[inline(always)]
    fn add_d(self, a: float64x2_t, b: float64x2_t) -> float64x2_t {
        // SAFETY: see the impl comment.
        unsafe { vaddq_f64(a, b) }
    }
    #[inline(always)]
    fn sub_d(self, a: float64x2_t, b: float64x2_t) -> float64x2_t {
        // SAFETY: see the impl comment.
        unsafe { vsubq_f64(a, b) }
    }
    #[inline(always)]
    fn mul_d(self, a: float64x2_t, b: float64x2_t) -> float64x2_t {
        // SAFETY: see the impl comment.
        unsafe { vmulq_f64(a, b) }
    }
    #[inline(always)]
    fn div_d(self, a: float64x2_t, b: float64x2_t) -> float64x2_t {
        // SAFETY: see the impl comment.
        unsafe { vdivq_f64(a, b) }
    }
}
