//! Roofline probes: the machine's limits (peak FMA rate, FMA and add mix, read bandwidth from
//! a buffer of any size), measured by each backend's vectors so a benchmark can put the
//! kernels' speed beside them in the same run (`benches/examples/roofline.rs`). Not part of
//! the SSIM API: hidden, and unused by the engine.
//!
//! The probes are generated like the kernel tables (one list, one table per backend, the same
//! `#[target_feature]` entry points), so they run exactly the instruction set the kernels of
//! that backend run.

use super::Backend;
#[cfg(feature = "portable")]
#[allow(unused_imports)] // the entry points name them through `use super::*`
use crate::arch::portable::Portable;
use crate::error::{Error, Result};
#[allow(unused_imports)] // the tables name them
use crate::kernels::roofline::{self as generic, scalar};

/// Invokes `$callback! { $($head)* ; <the probe list> }` (the format of `kernel_list!`).
macro_rules! probe_list {
    ($callback:ident! { $($head:tt)* }) => {
        $callback! { $($head)* ;
            /// Independent FMA chains.
            fn fma = fma(iters: usize, m: f32) -> (f32, u64);
            /// FMA chains and add chains interleaved.
            fn fma_add = fma_add(iters: usize, m: f32) -> (f32, u64);
            /// Vector loads of a buffer added up.
            fn read = read(buf: &[f32], reps: usize) -> (f32, u64);
        }
    };
}

probe_list!(kernels_struct! {});
probe_list!(plain_table! { SCALAR, Backend::Scalar, scalar });
#[cfg(feature = "portable")]
probe_list!(plain_table! { PORTABLE, Backend::Portable, generic(Portable) });

vector_tables!(probe_list);

#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
use crate::arch::target_feature_table;

fn table(backend: Backend) -> Result<&'static Kernels> {
    let t = match backend {
        Backend::Scalar => Some(&SCALAR),
        #[cfg(feature = "portable")]
        Backend::Portable => Some(&PORTABLE),
        #[cfg(target_arch = "aarch64")]
        Backend::Neon => neon::kernels(),
        #[cfg(target_arch = "x86_64")]
        Backend::Avx2 => avx2::kernels(),
        #[cfg(target_arch = "x86_64")]
        Backend::Avx512 => avx512::kernels(),
        #[allow(unreachable_patterns)]
        _ => None,
    };
    // A table answers only for its own backend (a mix-up in the match above is an error,
    // never another instruction set's numbers).
    t.filter(|k| k.backend == backend)
        .ok_or(Error::BackendUnsupported {
            backend: backend.name(),
        })
}

/// What a probe did: a value that depends on all of its work (so none of it can be left
/// out), and how much work it was.
#[derive(Clone, Copy, Debug)]
pub struct Work {
    /// The sum of the probe's accumulators.
    pub value: f32,
    /// Lane operations ([`fma`], [`fma_add`]: an FMA counts as one) or bytes read ([`read`]).
    pub amount: u64,
}

/// `iters` rounds of independent f32 FMA chains on `backend`'s vectors: time it to get the
/// peak FMA rate. Errors if the CPU cannot run `backend`.
///
/// ```
/// use ssim_core::{roofline, Backend};
/// let w = roofline::fma(Backend::Portable, 100)?;
/// assert!(w.amount >= 100 && w.value.is_finite());
/// # Ok::<(), ssim_core::Error>(())
/// ```
pub fn fma(backend: Backend, iters: usize) -> Result<Work> {
    let (value, amount) = (table(backend)?.fma)(iters, 0.999_999);
    Ok(Work { value, amount })
}

/// As [`fma`], with as many independent f32 additions interleaved: the rate of the FMA and add
/// pipes together.
///
/// ```
/// use ssim_core::{roofline, Backend};
/// let w = roofline::fma_add(Backend::Scalar, 100)?;
/// assert_eq!(w.amount, 1400);
/// # Ok::<(), ssim_core::Error>(())
/// ```
pub fn fma_add(backend: Backend, iters: usize) -> Result<Work> {
    let (value, amount) = (table(backend)?.fma_add)(iters, 0.999_999);
    Ok(Work { value, amount })
}

/// Reads `buf` `reps` times with `backend`'s vector loads, adding everything up: time it with
/// a buffer that fits L1, L2 or neither to get that level's read bandwidth. Reads whole
/// blocks of eight vectors; `amount` is the bytes read.
///
/// ```
/// use ssim_core::{roofline, Backend};
/// let buf = vec![1.0f32; 1024];
/// let w = roofline::read(Backend::Portable, &buf, 2)?;
/// assert_eq!((w.value, w.amount), (2048.0, 8192));
/// # Ok::<(), ssim_core::Error>(())
/// ```
pub fn read(backend: Backend, buf: &[f32], reps: usize) -> Result<Work> {
    let (value, amount) = (table(backend)?.read)(buf, reps);
    Ok(Work { value, amount })
}
