//! aarch64: Advanced SIMD (NEON) is part of the base architecture, so no detection is needed.

pub(crate) mod neon;
