//! Rebuilds the crate when the bundled sample changes: `include_dir!`
//! (src/sample.rs) embeds `samples/raw/` but cannot tell cargo to watch it.
fn main() {
    println!("cargo:rerun-if-changed=samples/raw");
}
