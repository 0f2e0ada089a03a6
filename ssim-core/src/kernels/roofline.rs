//! The bodies of the roofline probes (`crate::backend::roofline`): loops that run one kind of
//! instruction as fast as a core allows, so the kernels' speed can be put beside the
//! machine's limits measured in the same run. Written over [`Lanes`] like the kernels, so each
//! backend's table runs them with its own vectors; the scalar versions are the plain loops.
//!
//! Every body returns a value that depends on all of its work (the compiler cannot drop it)
//! and the number of lane operations (or bytes read) it performed.

use crate::lanes::Lanes;

/// Independent FMA chains per round: more than FMA latency (4 cycles) times FMA pipes (2)
/// on the x86-64 and Arm cores this runs on, so the pipes, not the chains, limit the rate.
const FMA_CHAINS: usize = 10;

/// Sum of the `F` lanes of each accumulator.
#[inline(always)]
fn total<S: Lanes>(s: S, acc: &[S::V]) -> f32 {
    let mut sum = s.splat(0.0);
    for &a in acc {
        sum = s.add(sum, a);
    }
    let mut lanes = [0.0f32; 16];
    s.store(sum, &mut lanes, 0);
    lanes[..S::F].iter().sum()
}

/// `iters` rounds of [`FMA_CHAINS`] independent `a = a * m + c`; returns the lanes' sum and
/// the lane-FMAs done.
#[inline(always)]
pub(crate) fn fma<S: Lanes>(s: S, iters: usize, m: f32) -> (f32, u64) {
    let (mv, cv) = (s.splat(m), s.splat(1.0 - m));
    let mut acc = [s.splat(1.0); FMA_CHAINS];
    for _ in 0..iters {
        for a in acc.iter_mut() {
            *a = s.mul_add(*a, mv, cv);
        }
    }
    (total(s, &acc), (iters * FMA_CHAINS * S::F) as u64)
}

/// As [`fma`], with as many independent additions interleaved (the mix the folded Gaussian
/// kernels issue: FMA pipes and add pipes busy at once); returns the lane operations done
/// (an FMA counts as one).
#[inline(always)]
pub(crate) fn fma_add<S: Lanes>(s: S, iters: usize, m: f32) -> (f32, u64) {
    // Chains per kind: what the registers hold beside the two constants (16 on AVX2/SSE,
    // 32 on AVX-512 and NEON). 8 FMA chains cover FMA latency (4) times FMA pipes (2), 6 add
    // chains add latency (3) times add pipes (2).
    if S::REGISTERS >= 32 {
        mix::<S, 10, 10>(s, iters, m)
    } else {
        mix::<S, 8, 6>(s, iters, m)
    }
}

#[inline(always)]
fn mix<S: Lanes, const NF: usize, const NA: usize>(s: S, iters: usize, m: f32) -> (f32, u64) {
    let (mv, cv) = (s.splat(m), s.splat(1.0 - m));
    let mut f = [s.splat(1.0); NF];
    let mut a = [s.splat(0.0); NA];
    for _ in 0..iters {
        for k in 0..NF.max(NA) {
            if k < NF {
                f[k] = s.mul_add(f[k], mv, cv);
            }
            if k < NA {
                a[k] = s.add(a[k], cv);
            }
        }
    }
    let sum = total(s, &f) + total(s, &a);
    (sum, (iters * (NF + NA) * S::F) as u64)
}

/// Adds every f32 of `buf`, `reps` times, in eight vector accumulators (two loads per cycle
/// need six additions in flight); returns the sum and the bytes read. `buf.len()` should be
/// a multiple of `8 F`; the rest is not read.
#[inline(always)]
pub(crate) fn read<S: Lanes>(s: S, buf: &[f32], reps: usize) -> (f32, u64) {
    let mut acc = [s.splat(0.0); 8];
    let block = 8 * S::F;
    let whole = buf.len() / block * block;
    for _ in 0..reps {
        for c in buf[..whole].chunks_exact(block) {
            for (j, a) in acc.iter_mut().enumerate() {
                *a = s.add(*a, s.load(c, j * S::F));
            }
        }
    }
    (total(s, &acc), (reps * whole * 4) as u64)
}

/// The scalar bodies: the same loops one f32 at a time.
pub(crate) mod scalar {
    use super::FMA_CHAINS;

    /// [`super::fma`] on f32.
    pub(crate) fn fma(iters: usize, m: f32) -> (f32, u64) {
        let c = 1.0 - m;
        let mut acc = [1.0f32; FMA_CHAINS];
        for _ in 0..iters {
            for a in acc.iter_mut() {
                *a = *a * m + c;
            }
        }
        (acc.iter().sum(), (iters * FMA_CHAINS) as u64)
    }

    /// [`super::fma_add`] on f32.
    pub(crate) fn fma_add(iters: usize, m: f32) -> (f32, u64) {
        let c = 1.0 - m;
        let (mut f, mut a) = ([1.0f32; 7], [0.0f32; 7]);
        for _ in 0..iters {
            for k in 0..7 {
                f[k] = f[k] * m + c;
                a[k] += c;
            }
        }
        (
            f.iter().sum::<f32>() + a.iter().sum::<f32>(),
            (iters * 14) as u64,
        )
    }

    /// [`super::read`] on f32.
    pub(crate) fn read(buf: &[f32], reps: usize) -> (f32, u64) {
        let mut acc = [0.0f32; 8];
        let whole = buf.len() / 8 * 8;
        for _ in 0..reps {
            for c in buf[..whole].chunks_exact(8) {
                for (a, v) in acc.iter_mut().zip(c) {
                    *a += v;
                }
            }
        }
        (acc.iter().sum(), (reps * whole * 4) as u64)
    }
}
