//! The C API (crate `ssim`, package `ssim-capi`) with arbitrary arguments: parameter structs
//! with any field values (bad enums, NaN, huge radii), images with any width, height, stride
//! and step (zero, too short, overflowing, misaligned data pointers), mismatched sizes, map
//! and scratch buffers of any length, NULL pointers, MS-SSIM level buffers of any length.
//!
//! Memory is always valid for what the arguments describe (buffers are allocated to exactly
//! the layout's size, so AddressSanitizer flags any read or write outside it); layouts too
//! large to allocate are only passed where the call must fail before touching the samples.
//! Checked: no panic (libfuzzer-sys aborts on any panic, even one `catch_unwind` would turn
//! into `SSIM_ERROR_INTERNAL`), every status is a defined code and never `INTERNAL`, an
//! impossible layout is never `SSIM_OK`, and every failure has a message.
#![no_main]

use core::ffi::c_void;
use core::mem::MaybeUninit;
use libfuzzer_sys::fuzz_target;
use ssim::*;
use ssim_fuzz::{Input, Noise};

/// Largest layout (in samples) the target allocates.
const MAX_SAMPLES: usize = 1 << 16;

fn big(inp: &mut Input<'_>) -> usize {
    const V: [usize; 8] = [
        0,
        1,
        2,
        usize::MAX,
        usize::MAX / 2,
        1 << 32,
        1 << 40,
        isize::MAX as usize,
    ];
    V[inp.below(8)]
}

/// width, height, stride, step.
fn dims(inp: &mut Input<'_>) -> (usize, usize, usize, usize) {
    let pick = |inp: &mut Input<'_>, small: usize| {
        if inp.u8() < 16 {
            big(inp)
        } else {
            small
        }
    };
    let w = 1 + inp.below(48);
    let h = 1 + inp.below(48);
    let step = 1 + inp.below(4);
    let stride =
        ((w - 1) * step + 1 + inp.below(4)).saturating_sub(if inp.u8() < 16 { 1 } else { 0 });
    (
        pick(inp, w),
        pick(inp, h),
        pick(inp, stride),
        pick(inp, step),
    )
}

/// Samples the layout reads, if it is a layout at all.
fn needed((w, h, stride, step): (usize, usize, usize, usize)) -> Option<usize> {
    if w == 0 || h == 0 || step == 0 {
        return None;
    }
    let row = (w - 1).checked_mul(step)?.checked_add(1)?;
    if h > 1 && stride < row {
        return None;
    }
    (h - 1).checked_mul(stride)?.checked_add(row)
}

fn float(inp: &mut Input<'_>, normal: f64) -> f64 {
    match inp.u8() {
        0..=7 => f64::from_bits(inp.u64()),
        8..=15 => [
            0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            1e-300,
            1e300,
            1e19,
            2e19,
        ][inp.below(8)],
        _ => normal,
    }
}

fn params(inp: &mut Input<'_>, range: f64) -> ssim_params {
    let mut p = MaybeUninit::<ssim_params>::uninit();
    let preset = inp.below(5) as u32;
    // SAFETY: `p` is valid for one write.
    let st = unsafe { ssim_params_from_preset(preset, range, p.as_mut_ptr()) };
    let mut p = if st == SSIM_OK {
        // SAFETY: written on success.
        unsafe { p.assume_init() }
    } else {
        assert_eq!(preset, 4, "preset {preset}: {st}");
        let mut q = MaybeUninit::<ssim_params>::uninit();
        // SAFETY: as above.
        assert_eq!(
            unsafe { ssim_params_from_preset(0, 255.0, q.as_mut_ptr()) },
            SSIM_OK
        );
        // SAFETY: written on success.
        unsafe { q.assume_init() }
    };
    if inp.u8() < 96 {
        p.window = inp.below(3) as u32;
        p.radius = if inp.u8() < 16 {
            inp.u32()
        } else {
            1 + inp.below(6) as u32
        };
        let sigma = 0.5 + inp.u8() as f64 / 64.0;
        p.sigma = float(inp, sigma);
        p.box_size = if inp.u8() < 16 {
            inp.u32()
        } else {
            1 + inp.below(12) as u32
        };
        p.k1 = float(inp, 0.01);
        p.k2 = float(inp, 0.03);
        p.data_range = float(inp, range);
        p.covariance = inp.below(3) as u32;
        p.pooling = inp.below(3) as u32;
        p.padding = inp.below(5) as u32;
        p.map_padding = inp.below(5) as u32;
    }
    p
}

fn check(st: ssim_status, what: &str) {
    assert!(
        (0..SSIM_STATUS_COUNT).contains(&st) && st != SSIM_ERROR_INTERNAL,
        "{what}: status {st}"
    );
    if st != SSIM_OK {
        let mut buf = [0 as core::ffi::c_char; 64];
        // SAFETY: `buf` holds 64 bytes.
        let n = unsafe { ssim_last_error_message(buf.as_mut_ptr(), buf.len()) };
        assert!(n > 0, "{what}: status {st} without a message");
        assert!(!ssim_status_str(st).is_null());
    }
}

/// A C image over a buffer of exactly its layout, or over one sample when the layout is
/// impossible; `None` when the layout is possible but too large to allocate.
struct Img<T> {
    buf: Vec<T>,
    dims: (usize, usize, usize, usize),
    possible: bool,
    misaligned: bool,
}

trait Api: Copy + Default + 'static {
    type Image;
    fn image(data: *const Self, d: (usize, usize, usize, usize)) -> Self::Image;
    fn gen(n: &mut Noise, range: f64) -> Self;
    unsafe fn compute(
        p: *const ssim_params,
        x: *const Self::Image,
        y: *const Self::Image,
        c: *const ssim_config,
        out: *mut ssim_result,
    ) -> ssim_status;
    #[allow(clippy::too_many_arguments)]
    unsafe fn map(
        p: *const ssim_params,
        x: *const Self::Image,
        y: *const Self::Image,
        c: *const ssim_config,
        m: *mut f32,
        ml: usize,
        cs: *mut f32,
        cl: usize,
        out: *mut ssim_result,
    ) -> ssim_status;
    #[allow(clippy::too_many_arguments)]
    unsafe fn scratch(
        p: *const ssim_params,
        x: *const Self::Image,
        y: *const Self::Image,
        b: ssim_backend,
        s: *mut c_void,
        sl: usize,
        m: *mut f32,
        ml: usize,
        cs: *mut f32,
        cl: usize,
        out: *mut ssim_result,
    ) -> ssim_status;
    unsafe fn msssim(
        p: *const ssim_msssim_params,
        x: *const Self::Image,
        y: *const Self::Image,
        c: *const ssim_config,
        l: *mut ssim_level,
        ll: usize,
        out: *mut ssim_msssim_result,
    ) -> ssim_status;
}

macro_rules! api {
    ($t:ty, $img:ident, $c:ident, $m:ident, $s:ident, $ms:ident, $gen:expr) => {
        impl Api for $t {
            type Image = $img;
            fn image(data: *const Self, d: (usize, usize, usize, usize)) -> $img {
                $img {
                    data,
                    width: d.0,
                    height: d.1,
                    stride: d.2,
                    step: d.3,
                }
            }
            fn gen(n: &mut Noise, range: f64) -> Self {
                $gen(n, range)
            }
            unsafe fn compute(
                p: *const ssim_params,
                x: *const $img,
                y: *const $img,
                c: *const ssim_config,
                out: *mut ssim_result,
            ) -> ssim_status {
                unsafe { $c(p, x, y, c, out) }
            }
            unsafe fn map(
                p: *const ssim_params,
                x: *const $img,
                y: *const $img,
                c: *const ssim_config,
                m: *mut f32,
                ml: usize,
                cs: *mut f32,
                cl: usize,
                out: *mut ssim_result,
            ) -> ssim_status {
                unsafe { $m(p, x, y, c, m, ml, cs, cl, out) }
            }
            unsafe fn scratch(
                p: *const ssim_params,
                x: *const $img,
                y: *const $img,
                b: ssim_backend,
                s: *mut c_void,
                sl: usize,
                m: *mut f32,
                ml: usize,
                cs: *mut f32,
                cl: usize,
                out: *mut ssim_result,
            ) -> ssim_status {
                unsafe { $s(p, x, y, b, s, sl, m, ml, cs, cl, out) }
            }
            unsafe fn msssim(
                p: *const ssim_msssim_params,
                x: *const $img,
                y: *const $img,
                c: *const ssim_config,
                l: *mut ssim_level,
                ll: usize,
                out: *mut ssim_msssim_result,
            ) -> ssim_status {
                unsafe { $ms(p, x, y, c, l, ll, out) }
            }
        }
    };
}

api!(
    u8,
    ssim_image_u8,
    ssim_compute_u8,
    ssim_map_u8,
    ssim_compute_u8_scratch,
    ssim_msssim_u8,
    |n: &mut Noise, _r: f64| n.bits() as u8
);
api!(
    u16,
    ssim_image_u16,
    ssim_compute_u16,
    ssim_map_u16,
    ssim_compute_u16_scratch,
    ssim_msssim_u16,
    |n: &mut Noise, r: f64| (n.unit() * r.clamp(0.0, 65535.0)) as u16
);
api!(
    f32,
    ssim_image_f32,
    ssim_compute_f32,
    ssim_map_f32,
    ssim_compute_f32_scratch,
    ssim_msssim_f32,
    |n: &mut Noise, r: f64| if n.bits().is_multiple_of(512) {
        f32::NAN
    } else {
        (n.unit() * r.clamp(0.0, 1e18)) as f32
    }
);

fn img<T: Api>(
    inp: &mut Input<'_>,
    noise: &mut Noise,
    range: f64,
    d: (usize, usize, usize, usize),
) -> Option<Img<T>> {
    let need = needed(d);
    let n = match need {
        Some(n) if n <= MAX_SAMPLES => n,
        Some(_) => return None,
        None => 1,
    };
    // One extra sample so that a pointer one byte in stays inside the allocation.
    let mut buf: Vec<T> = (0..n + 1).map(|_| T::gen(noise, range)).collect();
    buf.truncate(n + 1);
    let misaligned = core::mem::align_of::<T>() > 1 && inp.u8() < 8;
    Some(Img {
        buf,
        dims: d,
        possible: need.is_some(),
        misaligned,
    })
}

impl<T: Api> Img<T> {
    fn c(&self) -> T::Image {
        let p = if self.misaligned {
            // SAFETY: one byte inside an allocation of at least two samples.
            unsafe { (self.buf.as_ptr() as *const u8).add(1) as *const T }
        } else {
            self.buf.as_ptr()
        };
        T::image(p, self.dims)
    }
}

fn run<T: Api>(inp: &mut Input<'_>, range: f64) {
    let mut noise = Noise(inp.u64());
    let p = params(inp, range);
    let dx = dims(inp);
    let dy = if inp.u8() < 224 { dx } else { dims(inp) };
    let (Some(x), Some(y)) = (
        img::<T>(inp, &mut noise, range, dx),
        img::<T>(inp, &mut noise, range, dy),
    ) else {
        // Possible but too large to allocate: only the size queries.
        let (mut mw, mut mh, mut bytes) = (0usize, 0usize, 0usize);
        // SAFETY: every pointer is valid.
        check(
            unsafe { ssim_map_size(&p, dx.0, dx.1, &mut mw, &mut mh) },
            "map_size",
        );
        check(
            unsafe { ssim_scratch_size(&p, dx.0, inp.bool(), &mut bytes) },
            "scratch_size",
        );
        return;
    };
    let (cx, cy) = (x.c(), y.c());
    let config = ssim_config {
        backend: if inp.u8() < 32 {
            inp.u32() % 8
        } else {
            SSIM_BACKEND_AUTO
        },
        threads: inp.below(4) as u32,
    };
    let impossible =
        !x.possible || !y.possible || x.misaligned || y.misaligned || dx.0 != dy.0 || dx.1 != dy.1;
    let null = inp.u8() < 8;
    let pp: *const ssim_params = if null && inp.bool() {
        core::ptr::null()
    } else {
        &p
    };
    let xp: *const T::Image = if null && inp.bool() {
        core::ptr::null()
    } else {
        &cx
    };
    let cfg: *const ssim_config = if inp.bool() {
        core::ptr::null()
    } else {
        &config
    };
    let mut out = MaybeUninit::<ssim_result>::uninit();
    let which = inp.below(4);
    let st = match which {
        0 => {
            // SAFETY: every pointer is NULL or valid; image data valid for its layout.
            unsafe { T::compute(pp, xp, &cy, cfg, out.as_mut_ptr()) }
        }
        1 | 2 => {
            let (mut mw, mut mh) = (0usize, 0usize);
            // SAFETY: valid pointers.
            let sst = unsafe { ssim_map_size(&p, dx.0, dx.1, &mut mw, &mut mh) };
            check(sst, "map_size");
            let exact = mw.saturating_mul(mh);
            let len = match inp.below(4) {
                0 => inp.below(64),
                1 => exact.saturating_sub(1),
                _ => exact,
            }
            .min(MAX_SAMPLES * 4);
            let mut m = vec![0f32; len];
            let mut cs = vec![0f32; if inp.bool() { len } else { inp.below(8) }];
            let csp = if inp.bool() {
                cs.as_mut_ptr()
            } else {
                core::ptr::null_mut()
            };
            if inp.bool() {
                // SAFETY: as above; the maps are valid for their lengths.
                unsafe {
                    T::map(
                        pp,
                        xp,
                        &cy,
                        cfg,
                        m.as_mut_ptr(),
                        m.len(),
                        csp,
                        cs.len(),
                        out.as_mut_ptr(),
                    )
                }
            } else {
                let mut bytes = 0usize;
                let with_map = inp.bool();
                // SAFETY: valid pointers.
                let bst = unsafe { ssim_scratch_size(&p, dx.0, with_map, &mut bytes) };
                check(bst, "scratch_size");
                let n = match inp.below(3) {
                    0 => inp.below(4096),
                    1 => bytes.saturating_sub(1 + inp.below(64)),
                    _ => bytes,
                }
                .min(1 << 24);
                let off = inp.below(64);
                let mut scratch = vec![0u8; n + off];
                let mp = if with_map {
                    m.as_mut_ptr()
                } else {
                    core::ptr::null_mut()
                };
                // SAFETY: the scratch is valid for `n` bytes from `off`.
                unsafe {
                    T::scratch(
                        pp,
                        xp,
                        &cy,
                        config.backend,
                        scratch.as_mut_ptr().add(off).cast(),
                        n,
                        mp,
                        m.len(),
                        csp,
                        cs.len(),
                        out.as_mut_ptr(),
                    )
                }
            }
        }
        _ => {
            let mut mp = MaybeUninit::<ssim_msssim_params>::uninit();
            let preset = inp.below(3) as u32;
            // SAFETY: valid for one write.
            let st = unsafe { ssim_msssim_params_from_preset(preset, range, mp.as_mut_ptr()) };
            check(st, "msssim preset");
            if st != SSIM_OK {
                return;
            }
            // SAFETY: written on success.
            let mut mp = unsafe { mp.assume_init() };
            if inp.bool() {
                mp.ssim = p;
                mp.levels = inp.below(20) as u32;
                for w in mp.weights.iter_mut() {
                    let normal = inp.u8() as f64 / 255.0;
                    *w = float(inp, normal);
                }
                mp.downsample = inp.below(3) as u32;
                mp.negative = inp.below(5) as u32;
                mp.auto_levels = inp.bool();
            }
            let mut levels = vec![MaybeUninit::<ssim_level>::uninit(); inp.below(20)];
            let mut mout = MaybeUninit::<ssim_msssim_result>::uninit();
            // SAFETY: valid pointers; `levels` holds its length.
            let st = unsafe {
                T::msssim(
                    &mp,
                    xp,
                    &cy,
                    cfg,
                    levels.as_mut_ptr().cast(),
                    levels.len(),
                    mout.as_mut_ptr(),
                )
            };
            if st == SSIM_OK {
                // SAFETY: written on success.
                let r = unsafe { mout.assume_init() };
                assert!(
                    r.levels as usize <= levels.len().max(1) && r.levels >= 1,
                    "{r:?}"
                );
            }
            st
        }
    };
    check(st, "compute");
    if st == SSIM_OK {
        assert!(!impossible, "accepted an impossible layout: {dx:?} {dy:?}");
        assert!(
            (which == 3 || !pp.is_null()) && !xp.is_null(),
            "call {which}: SSIM_OK with params {pp:?}, x {xp:?}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let mut inp = Input::new(data);
    match inp.below(3) {
        0 => run::<u8>(&mut inp, 255.0),
        1 => run::<u16>(&mut inp, 1023.0),
        _ => run::<f32>(&mut inp, 1.0),
    }
});
