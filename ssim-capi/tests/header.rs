//! `include/ssim.h` must be exactly what cbindgen generates from this crate with
//! `cbindgen.toml`: a change to the C API that is not reflected in the committed header fails
//! here (and so in CI). `SSIM_BLESS=1` rewrites the header instead.

use std::path::Path;

#[test]
fn header_is_fresh() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("ssim-capi/cbindgen.toml parses");
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header from ssim-capi/src");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let generated = String::from_utf8(generated).expect("the header is UTF-8");

    let path = crate_dir.join("../include/ssim.h");
    if std::env::var_os("SSIM_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("include/ssim.h is writable");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let line = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()))
            + 1;
        panic!(
            "include/ssim.h differs from what cbindgen generates from ssim-capi/src (first \
             difference at line {line}; committed {} lines, generated {}).\n\
             Regenerate it with `SSIM_BLESS=1 cargo test -p ssim-capi --test header` and commit \
             it.\nGenerated line: {:?}",
            committed.lines().count(),
            generated.lines().count(),
            generated.lines().nth(line - 1).unwrap_or(""),
        );
    }
}
