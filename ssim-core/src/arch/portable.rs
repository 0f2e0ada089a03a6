//! The portable backend's token: `wide`'s 8-lane f32 and 4-lane f64 vectors.
//!
//! `wide` chooses its instructions from the *build's* target features (SSE2 on a default
//! x86-64 build, NEON on aarch64, simd128 on wasm32 with `+simd128`), which makes it a good
//! baseline and nothing more: inside a function compiled for AVX2 at run time it would still
//! emit SSE (Lokathor/wide issues 146 and 238), so the wider backends use `core::arch`
//! intrinsics in their own tokens. Safe code only.

use crate::lanes::{Lanes, Rows};
use wide::{f32x8, f64x4, i32x8};

/// The token of the portable backend; the baseline target always runs it.
#[derive(Clone, Copy)]
pub(crate) struct Portable;

impl Lanes for Portable {
    const F: usize = 8;
    const D: usize = 4;
    const REGISTERS: usize = 16;
    type V = f32x8;
    type W = f64x4;
    type I = i32x8;
    type H = [i16; 16];

    #[inline(always)]
    fn splat(self, v: f32) -> f32x8 {
        f32x8::splat(v)
    }
    #[inline(always)]
    fn load(self, s: &[f32], i: usize) -> f32x8 {
        let mut a = [0f32; 8];
        a.copy_from_slice(&s[i..i + 8]);
        f32x8::new(a)
    }
    #[inline(always)]
    fn load_at<const CAP: usize>(self, rows: &Rows<'_, CAP>, t: usize, i: usize) -> f32x8 {
        self.load(rows.row(t), i)
    }
    #[inline(always)]
    fn store(self, v: f32x8, d: &mut [f32], i: usize) {
        d[i..i + 8].copy_from_slice(&v.to_array());
    }
    #[inline(always)]
    fn add(self, a: f32x8, b: f32x8) -> f32x8 {
        a + b
    }
    #[inline(always)]
    fn sub(self, a: f32x8, b: f32x8) -> f32x8 {
        a - b
    }
    #[inline(always)]
    fn mul(self, a: f32x8, b: f32x8) -> f32x8 {
        a * b
    }
    #[inline(always)]
    fn div(self, a: f32x8, b: f32x8) -> f32x8 {
        a / b
    }
    #[inline(always)]
    fn max(self, a: f32x8, b: f32x8) -> f32x8 {
        a.max(b)
    }
    #[inline(always)]
    fn mul_add(self, a: f32x8, b: f32x8, c: f32x8) -> f32x8 {
        a.mul_add(b, c)
    }
    #[inline(always)]
    fn load_u8(self, s: &[u8], i: usize) -> f32x8 {
        let s = &s[i..i + 8];
        f32x8::new(core::array::from_fn(|j| s[j] as f32))
    }
    #[inline(always)]
    fn load_u16(self, s: &[u16], i: usize) -> f32x8 {
        let s = &s[i..i + 8];
        f32x8::new(core::array::from_fn(|j| s[j] as f32))
    }
    #[inline(always)]
    fn pair_add(self, a: f32x8, b: f32x8) -> f32x8 {
        let (a, b) = (a.to_array(), b.to_array());
        f32x8::new(core::array::from_fn(|j| {
            let v = if j < 4 { &a } else { &b };
            let k = 2 * (j % 4);
            v[k] + v[k + 1]
        }))
    }
    #[inline(always)]
    fn load_u8_pairs(self, s: &[u8], i: usize) -> f32x8 {
        let s = &s[i..i + 16];
        f32x8::new(core::array::from_fn(|j| {
            (s[2 * j] as u16 + s[2 * j + 1] as u16) as f32
        }))
    }
    #[inline(always)]
    fn prefetch(self, _p: *const u8) {}
    #[inline(always)]
    fn to_int(self, v: f32x8) -> i32x8 {
        // Exact: the lanes are integers below 2^31.
        v.fast_round_int()
    }
    #[inline(always)]
    fn mul_int(self, a: i32x8, b: i32x8) -> i32x8 {
        a * b
    }
    #[inline(always)]
    fn sub_int(self, a: i32x8, b: i32x8) -> i32x8 {
        a - b
    }
    #[inline(always)]
    fn add_int(self, a: i32x8, b: i32x8) -> i32x8 {
        a + b
    }
    #[inline(always)]
    fn to_float(self, v: i32x8) -> f32x8 {
        v.round_float()
    }
    #[inline(always)]
    fn splat_int(self, v: i32) -> i32x8 {
        i32x8::splat(v)
    }
    #[inline(always)]
    fn load_int(self, s: &[i32], i: usize) -> i32x8 {
        let mut a = [0i32; 8];
        a.copy_from_slice(&s[i..i + 8]);
        i32x8::new(a)
    }
    #[inline(always)]
    fn store_int(self, v: i32x8, d: &mut [i32], i: usize) {
        d[i..i + 8].copy_from_slice(&v.to_array());
    }
    #[inline(always)]
    fn pair_add_int(self, a: i32x8, b: i32x8) -> i32x8 {
        let (a, b) = (a.to_array(), b.to_array());
        i32x8::new(core::array::from_fn(|j| {
            let v = if j < 4 { &a } else { &b };
            let k = 2 * (j % 4);
            v[k].wrapping_add(v[k + 1])
        }))
    }
    #[inline(always)]
    fn load_u8_h(self, s: &[u8], i: usize) -> [i16; 16] {
        let s = &s[i..i + 16];
        core::array::from_fn(|j| s[j] as i16)
    }
    #[cfg(feature = "u16")]
    #[inline(always)]
    fn load_u16_h(self, s: &[u16], i: usize) -> [i16; 16] {
        let s = &s[i..i + 16];
        core::array::from_fn(|j| s[j] as i16)
    }
    #[inline(always)]
    fn add_h(self, a: [i16; 16], b: [i16; 16]) -> [i16; 16] {
        core::array::from_fn(|j| a[j].wrapping_add(b[j]))
    }
    #[inline(always)]
    fn madd_h(self, a: [i16; 16], b: [i16; 16]) -> i32x8 {
        let p = |j: usize| a[j] as i32 * b[j] as i32;
        i32x8::new(core::array::from_fn(|k| {
            p(2 * k).wrapping_add(p(2 * k + 1))
        }))
    }
    #[inline(always)]
    fn pair_sums_h(self, a: [i16; 16]) -> i32x8 {
        i32x8::new(core::array::from_fn(|k| {
            a[2 * k] as i32 + a[2 * k + 1] as i32
        }))
    }
    #[cfg(feature = "box-columns")]
    #[inline(always)]
    fn load_u8_xy(self, x: &[u8], y: &[u8], i: usize) -> i32x8 {
        let (x, y) = (&x[i..i + 8], &y[i..i + 8]);
        i32x8::new(core::array::from_fn(|k| x[k] as i32 | (y[k] as i32) << 16))
    }
    #[cfg(feature = "box-columns")]
    #[inline(always)]
    fn add_pairs(self, a: i32x8, b: i32x8) -> i32x8 {
        pairs(a, b, i16::wrapping_add)
    }
    #[cfg(feature = "box-columns")]
    #[inline(always)]
    fn sub_pairs(self, a: i32x8, b: i32x8) -> i32x8 {
        pairs(a, b, i16::wrapping_sub)
    }
    #[cfg(feature = "box-columns")]
    #[inline(always)]
    fn madd_pairs(self, a: i32x8, b: i32x8) -> i32x8 {
        let (a, b) = (a.to_array(), b.to_array());
        i32x8::new(core::array::from_fn(|k| {
            let (p, q) = (halves(a[k]), halves(b[k]));
            (p.0 as i32 * q.0 as i32).wrapping_add(p.1 as i32 * q.1 as i32)
        }))
    }
    #[cfg(feature = "box-columns")]
    #[inline(always)]
    fn swap_pairs(self, a: i32x8) -> i32x8 {
        let a = a.to_array();
        i32x8::new(core::array::from_fn(|k| a[k].rotate_left(16)))
    }
    #[inline(always)]
    fn splat_d(self, v: f64) -> f64x4 {
        f64x4::splat(v)
    }
    #[inline(always)]
    fn load_d(self, s: &[f64], i: usize) -> f64x4 {
        let mut a = [0f64; 4];
        a.copy_from_slice(&s[i..i + 4]);
        f64x4::new(a)
    }
    #[inline(always)]
    fn store_d(self, v: f64x4, d: &mut [f64], i: usize) {
        d[i..i + 4].copy_from_slice(&v.to_array());
    }
    #[inline(always)]
    fn widen_d(self, s: &[f32], i: usize) -> f64x4 {
        let s = &s[i..i + 4];
        f64x4::new(core::array::from_fn(|j| s[j] as f64))
    }
    #[inline(always)]
    fn store_narrow_d(self, v: f64x4, d: &mut [f32], i: usize) {
        let v = v.to_array();
        for (o, x) in d[i..i + 4].iter_mut().zip(v) {
            *o = x as f32;
        }
    }
    #[inline(always)]
    fn add_d(self, a: f64x4, b: f64x4) -> f64x4 {
        a + b
    }
    #[inline(always)]
    fn sub_d(self, a: f64x4, b: f64x4) -> f64x4 {
        a - b
    }
    #[inline(always)]
    fn mul_d(self, a: f64x4, b: f64x4) -> f64x4 {
        a * b
    }
    #[inline(always)]
    fn div_d(self, a: f64x4, b: f64x4) -> f64x4 {
        a / b
    }
}

/// The low and high 16-bit halves of a lane.
#[cfg(feature = "box-columns")]
#[inline(always)]
fn halves(v: i32) -> (i16, i16) {
    (v as i16, (v >> 16) as i16)
}

/// `f` on the halves of each lane of `a` and `b`.
#[cfg(feature = "box-columns")]
#[inline(always)]
fn pairs(a: i32x8, b: i32x8, f: impl Fn(i16, i16) -> i16) -> i32x8 {
    let (a, b) = (a.to_array(), b.to_array());
    i32x8::new(core::array::from_fn(|k| {
        let (p, q) = (halves(a[k]), halves(b[k]));
        f(p.0, q.0) as u16 as i32 | (f(p.1, q.1) as i32) << 16
    }))
}
