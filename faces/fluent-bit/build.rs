//! Exports the C library's `malloc` and `free` from the wasm module, so that WAMR allocates the
//! tag and record copies in the module's own heap (which grows on demand) instead of its small
//! fixed host-managed heap, where records over ~64 KB do not fit and arrive as a null pointer.
//!
//! Rust's standard library on WASI allocates with these same functions (wasi-libc's), so the
//! host and the module share one allocator. Defining `malloc` in Rust instead would clash with
//! wasi-libc's definition, which std itself links in.
fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-cdylib=--export=malloc");
        println!("cargo:rustc-link-arg-cdylib=--export=free");
    }
}
