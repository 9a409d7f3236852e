//! Replays the fuzz corpus (`fuzz/corpus/filter_and_analyze`, the inputs cargo fuzz found
//! interesting) and the crashes it once found (`fuzz/regressions`) on stable Rust, so every
//! test run is a short fuzz smoke run.

include!("../fuzz/drive.rs");

#[test]
fn fuzz_corpus_replays_without_panic() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut replayed = 0;
    for dir in ["corpus/filter_and_analyze", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let data = std::fs::read(entry.path()).expect("corpus file");
            drive(&data);
            replayed += 1;
        }
    }
    assert!(
        replayed > 0,
        "the fuzz corpus is empty: run the fuzzer (see README)"
    );
}
