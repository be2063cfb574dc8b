//! Build script: on Linux with GNU libc, the release binary packs its relative relocations
//! (`-z pack-relative-relocs`, DT_RELR): a position-independent binary carries about 1.3 MB of
//! them, which the dynamic loader reads at every start and which stay resident in a daemon at
//! rest; packed, they take a few kilobytes. A linker or libc without DT_RELR leaves them as
//! they were (GNU ld checks libc's support). Debug and test builds are left alone.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let target = std::env::var("TARGET").unwrap_or_default();
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    if release && target.contains("linux-gnu") {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
