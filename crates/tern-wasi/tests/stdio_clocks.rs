//! stdin/stdout streaming, large output, clocks, sleeping, polling and random.

mod common;

use std::time::Instant;

use common::*;
use tern_wasi::WasiCtxBuilder;

#[test]
fn stdin_to_stdout() {
    let input: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let b = WasiCtxBuilder::new().stdin_bytes(input.clone());
    let o = run_file(&program("cat"), b);
    assert_eq!(o.status, Ok(0), "{}", o.stderr_str());
    assert!(o.stdout == input, "stdout differs from stdin");
    assert_eq!(o.stderr_str(), "copied 200000 bytes\n");
}

#[test]
fn empty_stdin() {
    let o = run_file(&program("cat"), WasiCtxBuilder::new().stdin_bytes(""));
    assert_eq!(o.status, Ok(0), "{}", o.stderr_str());
    assert!(o.stdout.is_empty());
}

#[test]
fn stdout_to_a_file() {
    let dir = TempDir::new("stdout-file");
    let path = dir.join("out.txt");
    let f = std::fs::File::create(&path).unwrap();
    let ctx = WasiCtxBuilder::new()
        .stdin_bytes("through a file\n")
        .stdout(f)
        .stderr(tern_wasi::OutputPipe::new())
        .build();
    let bytes = std::fs::read(program("cat")).unwrap();
    assert_eq!(run_ctx(&bytes, ctx).unwrap(), 0);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "through a file\n");
}

#[test]
fn large_output() {
    let mib = 20;
    let o = run_file(
        &program("bigout"),
        WasiCtxBuilder::new().args(&["bigout", &mib.to_string()]),
    );
    assert_eq!(o.status, Ok(0));
    assert_eq!(o.stdout.len(), mib << 20);
    for (b, block) in o.stdout.chunks(65536).enumerate() {
        assert_eq!(&block[..4], &(b as u32).to_le_bytes());
        assert!(block[4..]
            .iter()
            .enumerate()
            .all(|(i, &c)| c == b'a' + ((i + 4) % 26) as u8));
    }
}

#[test]
fn clocks_poll_random() {
    let start = Instant::now();
    let o = run_file(&program("clocks"), WasiCtxBuilder::new());
    assert_eq!(
        o.ok(),
        "realtime ok\nclocks ok\nsleep ok\npoll ok\nrandom ok\nmisc ok\n"
    );
    // It slept at least 20 + 15 + 10 + 5 ms.
    assert!(start.elapsed().as_millis() >= 50);
}
