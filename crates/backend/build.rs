//! Release builds on x86-64 Linux link the functions listed in `link-order.txt` side by side
//! (`--symbol-ordering-file`, which rustc's default linker there, lld, understands). The kernel maps
//! code 64 KiB at a time around each page run, so gathering the ~9,400 functions the server runs
//! cuts its resident code from ~30 MiB to ~13 MiB (docs/PERFORMANCE.md). `scripts/link-order.sh`
//! makes the file; names it lists that the binary no longer has are skipped by the linker.
//!
//! The same builds pack their relative relocations (`-z pack-relative-relocs`, glibc 2.36+, which
//! the runtime image has): the loader reads ~100,000 of them at start, 2.3 MB as plain entries that
//! then stay mapped; packed they take a few KiB.
//!
//! Both are left out in debug builds, for other targets, when the build picks its own linker (GNU
//! ld has no ordering option), or with `MVP_LINK_ORDER=off`; the order also when the file is absent.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=link-order.txt");
    println!("cargo:rerun-if-env-changed=MVP_LINK_ORDER");
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let file = Path::new(&var("CARGO_MANIFEST_DIR")).join("link-order.txt");
    let wanted = var("PROFILE") == "release"
        && var("TARGET") == "x86_64-unknown-linux-gnu"
        && var("MVP_LINK_ORDER") != "off"
        && !var("CARGO_ENCODED_RUSTFLAGS").contains("link")
        && std::env::var_os("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER").is_none();
    if wanted {
        println!("cargo:rustc-link-arg-bin=mvp-backend=-Wl,-z,pack-relative-relocs");
    }
    if wanted && file.is_file() {
        println!(
            "cargo:rustc-link-arg-bin=mvp-backend=-Wl,--symbol-ordering-file={}",
            file.display()
        );
        println!("cargo:rustc-link-arg-bin=mvp-backend=-Wl,--no-warn-symbol-ordering");
    }
}
