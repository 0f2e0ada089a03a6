//! Hands the target and host triples to the crate: [`command`](crate::command) and
//! [`c_compiler`](crate::c_compiler) need to know whether the tests are cross-compiled.

fn main() {
    for var in ["TARGET", "HOST"] {
        let v = std::env::var(var).expect("cargo sets TARGET and HOST for build scripts");
        println!("cargo:rustc-env=TEST_SUPPORT_{var}={v}");
    }
}
