//! Instruction-set specific code: CPU detection, the [`Lanes`](crate::lanes::Lanes) tokens
//! of every vector backend, and the macro that generates the `#[target_feature]` entry points
//! of the AVX2, AVX-512 and NEON tables. This is the only place with `unsafe` (the entry
//! points' `unsafe` is written here and expanded in `crate::backend`).
//!
//! Each vector backend is a zero-sized token type implementing `Lanes` with `core::arch`
//! intrinsics (or `wide`'s vectors for the portable one). The tokens of AVX2, AVX-512 and
//! NEON are only created inside their entry points, which only their table reaches, which
//! `kernels()` hands out only after detection: that is what makes the entry points sound.

#[cfg(target_arch = "aarch64")]
pub(crate) mod aarch64;
#[cfg(feature = "portable")]
pub(crate) mod portable;
#[cfg(target_arch = "x86_64")]
pub(crate) mod x86_64;

/// Defines `fn kernels()` and the `static KERNELS` it returns when `$supported` is true: a
/// `Kernels` table whose entries run `generic::$body` with the token `$token` inside a
/// `#[target_feature(enable = $features)]` frame, so the generic kernels compile to that
/// instruction set. Invoked through `kernel_list!` (one entry point per kernel of the list)
/// in a module that has `Kernels`, `generic` and the list's argument types in scope. The entry
/// point of kernel `name` is the function `entry::name::tf`, the name the codegen check
/// (`.ci/steps/50-codegen.sh`) looks for.
///
/// `$supported` must be true only when the CPU and OS support `$features` and the token's
/// own requirements: every entry point relies on it.
#[allow(unused_macros)]
macro_rules! target_feature_table {
    ($backend:expr, $features:literal, $token:ident, $supported:expr;
     $($(#[$attr:meta])* fn $name:ident = $body:ident
        ($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)?;)*) => {
        /// The table, if this CPU and OS run it.
        pub(super) fn kernels() -> Option<&'static Kernels> {
            ($supported).then_some(&KERNELS)
        }

        // The list's doc comments come along with its `cfg` attributes.
        #[allow(unused_doc_comments)]
        static KERNELS: Kernels = Kernels {
            backend: $backend,
            $($(#[$attr])* $name: entry::$name,)*
        };

        mod entry {
            use super::*;
            $(
                $(#[$attr])*
                #[allow(clippy::too_many_arguments)]
                pub(super) fn $name($($arg: $ty),*) $(-> $ret)? {
                    #[target_feature(enable = $features)]
                    #[allow(clippy::too_many_arguments)]
                    fn tf($($arg: $ty),*) $(-> $ret)? {
                        // SAFETY: this frame is only entered through `KERNELS`, which
                        // `kernels()` hands out only when `$supported` confirmed the token's
                        // requirements.
                        let s = unsafe { $token::new_unchecked() };
                        generic::$body(s, $($arg),*)
                    }
                    // SAFETY: reachable only through `KERNELS`, which `kernels()` returns
                    // only when the CPU and OS support the features `tf` is compiled for.
                    unsafe { tf($($arg),*) }
                }
            )*
        }
    };
}

#[allow(unused_imports)]
pub(crate) use target_feature_table;
