//! What the smoke tests share: running one export of a text module, instantiating a
//! module in a fresh store, and finding an instruction's bytes in a binary. No test
//! lives here.

use tern::*;

pub fn run(wat: &str, name: &str, args: &[Val], nres: usize) -> Result<Vec<Val>> {
    let engine = Engine::default();
    let module = Module::new(&engine, wat)?;
    let mut store = Store::new(&engine, ());
    let linker = Linker::new(&engine);
    let inst = linker.instantiate(&mut store, &module)?;
    let f = inst
        .get_func(&store, name)
        .ok_or_else(|| Error::msg("no func"))?;
    let mut out = vec![Val::I32(0); nres];
    f.call(&mut store, args, &mut out)?;
    Ok(out)
}

/// A store with one instance of `wat`, which must instantiate.
pub fn instantiate(wat: &str) -> (Store<()>, Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    (store, inst)
}

/// The byte offset in `bytes` of the only occurrence of `pattern`.
pub fn find_once(bytes: &[u8], pattern: &[u8]) -> usize {
    let hits: Vec<usize> = (0..bytes.len().saturating_sub(pattern.len()) + 1)
        .filter(|&i| bytes[i..].starts_with(pattern))
        .collect();
    assert_eq!(hits.len(), 1, "{pattern:02x?}");
    hits[0]
}
