//! Unit tests of each kernel on every available backend against the scalar kernels.
