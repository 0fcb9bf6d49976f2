//! Entry point of the `kanwu` binary.
fn main() {}
