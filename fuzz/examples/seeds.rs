//! Writes the seed corpora, `fuzz/seeds/<target>/<name>`, from the real encoders, and the
//! dictionaries, `fuzz/dicts/<target>.dict`:
//! `cargo run -p tandem-fuzz --example seeds`. A seed no longer made is
//! removed; the seed test fails until the files are written again.

#![allow(clippy::expect_used, clippy::unwrap_used)]

fn main() -> std::io::Result<()> {
    let root = tandem_fuzz::fuzz_dir().join("seeds");
    if root.exists() {
        std::fs::remove_dir_all(&root)?;
    }
    let seeds = tandem_fuzz::seeds::all();
    for (target, name, bytes) in &seeds {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(name), bytes)?;
    }
    println!("{} seeds written to {}", seeds.len(), root.display());
    let dicts = tandem_fuzz::fuzz_dir().join("dicts");
    if dicts.exists() {
        std::fs::remove_dir_all(&dicts)?;
    }
    std::fs::create_dir_all(&dicts)?;
    for (target, text) in tandem_fuzz::seeds::dicts() {
        std::fs::write(dicts.join(format!("{target}.dict")), text)?;
    }
    Ok(())
}
