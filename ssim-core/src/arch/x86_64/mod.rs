//! x86-64: detection without `std`, and the AVX2+FMA and AVX-512 backends.
//!
//! `std::is_x86_feature_detected!` is not available in `no_std`, so detection reads CPUID
//! itself and, like std, also asks the OS (XGETBV) whether it saves the ymm (and for AVX-512
//! the zmm and mask) registers on a context switch: a CPU can report AVX-512 under an OS or
//! hypervisor that does not enable it, and then the instructions fault.

pub(crate) mod avx2;
pub(crate) mod avx512;

use core::arch::x86_64::{__cpuid, __cpuid_count, _xgetbv, CpuidResult};
use core::sync::atomic::{AtomicU8, Ordering};

const AVX2_FMA: u8 = 1;
const AVX512: u8 = 2;
const DETECTED: u8 = 0x80;

/// Detection result, computed once: `DETECTED` plus the supported feature bits.
static FEATURES: AtomicU8 = AtomicU8::new(0);

fn features() -> u8 {
    let f = FEATURES.load(Ordering::Relaxed);
    if f & DETECTED != 0 {
        return f;
    }
    // Racing threads compute the same value; either store is fine.
    let f = detect() | DETECTED;
    FEATURES.store(f, Ordering::Relaxed);
    f
}

/// AVX2 and FMA, with ymm state enabled by the OS.
pub(crate) fn has_avx2_fma() -> bool {
    features() & AVX2_FMA != 0
}

/// AVX-512F and BW (plus AVX2 and FMA), with zmm and opmask state enabled by the OS.
pub(crate) fn has_avx512() -> bool {
    features() & AVX512 != 0
}

#[allow(unused_unsafe)]
fn cpuid(leaf: u32, sub: u32) -> CpuidResult {
    // SAFETY: every x86-64 CPU has CPUID; leaves above the maximum return zeros or the
    // highest leaf's data, and we only read leaves below the reported maximum.
    unsafe { __cpuid_count(leaf, sub) }
}

fn detect() -> u8 {
    #[allow(unused_unsafe)]
    // SAFETY: CPUID leaf 0 exists on every x86-64 CPU.
    let max_leaf = unsafe { __cpuid(0) }.eax;
    if max_leaf < 7 {
        return 0;
    }
    let l1 = cpuid(1, 0);
    let (fma, osxsave, avx) = (
        l1.ecx & (1 << 12) != 0,
        l1.ecx & (1 << 27) != 0,
        l1.ecx & (1 << 28) != 0,
    );
    if !(osxsave && avx) {
        return 0;
    }
    let xcr0 = xcr0();
    let l7 = cpuid(7, 0);
    let (avx2, avx512f, avx512bw) = (
        l7.ebx & (1 << 5) != 0,
        l7.ebx & (1 << 16) != 0,
        l7.ebx & (1 << 30) != 0,
    );
    // XCR0 bits: 1 SSE, 2 AVX (ymm upper halves), 5 opmask, 6 ZMM_Hi256, 7 Hi16_ZMM.
    let ymm_state = xcr0 & 0b110 == 0b110;
    let zmm_state = xcr0 & 0b1110_0110 == 0b1110_0110;
    let mut f = 0;
    if avx2 && fma && ymm_state {
        f |= AVX2_FMA;
        if avx512f && avx512bw && zmm_state {
            f |= AVX512;
        }
    }
    f
}

/// XCR0, the OS-enabled state components. Only called when CPUID reports OSXSAVE.
fn xcr0() -> u64 {
    #[target_feature(enable = "xsave")]
    fn read() -> u64 {
        // SAFETY: XGETBV with ECX = 0 is valid whenever the OS set CR4.OSXSAVE, which
        // CPUID.1:ECX.OSXSAVE (checked by the caller) reports.
        unsafe { _xgetbv(0) }
    }
    // SAFETY: the `xsave` feature of `read` is what CPUID.1:ECX.OSXSAVE confirms.
    unsafe { read() }
}

/// The rest of [`Lanes::tree16`](crate::lanes::Lanes::tree16) for both x86 backends, from
/// `h8[l] = p[l] + p[l + 8]`: `l + 4`, `l + 2`, `l + 1`.
#[inline(always)]
fn tree8(h8: core::arch::x86_64::__m256) -> f32 {
    use core::arch::x86_64::*;
    // SAFETY: AVX and SSE register operations only, which every caller's target features
    // (AVX-512F, AVX2) include.
    unsafe {
        let h4 = _mm_add_ps(_mm256_castps256_ps128(h8), _mm256_extractf128_ps(h8, 1));
        let h2 = _mm_add_ps(h4, _mm_movehl_ps(h4, h4));
        _mm_cvtss_f32(_mm_add_ss(h2, _mm_shuffle_ps(h2, h2, 1)))
    }
}
