//! Arguments, environment, stdio and exit codes.

mod common;

use common::*;
use tern_wasi::WasiCtxBuilder;

#[test]
fn hello_args_env() {
    let b = WasiCtxBuilder::new()
        .args(&["args", "one", "", "two words", "ünïcode"])
        .env("A", "1")
        .env("EMPTY", "")
        .env("B", "x=y");
    let o = run_file(&program("args"), b);
    assert_eq!(
        o.ok(),
        "hello, world\nargc=5\nargv[0]=[args]\nargv[1]=[one]\nargv[2]=[]\n\
         argv[3]=[two words]\nargv[4]=[ünïcode]\nenv=[A=1]\nenv=[EMPTY=]\nenv=[B=x=y]\n\
         getenv(EMPTY)=(empty)\n"
    );
    assert_eq!(o.stderr_str(), "to stderr\n");
}

#[test]
fn no_args_no_env() {
    let o = run_file(&program("args"), WasiCtxBuilder::new());
    assert_eq!(o.ok(), "hello, world\nargc=0\ngetenv(EMPTY)=(unset)\n");
}

#[test]
fn exit_status_from_main() {
    let o = run_file(
        &program("args"),
        WasiCtxBuilder::new().args(&["args", "42"]),
    );
    assert_eq!(o.status, Ok(42));
}

#[test]
fn exit_status_from_proc_exit() {
    for code in [0, 1, 7, 255] {
        let o = run_file(
            &program("exit"),
            WasiCtxBuilder::new().args(&["exit", &code.to_string()]),
        );
        assert_eq!(o.status, Ok(code));
        assert_eq!(o.stdout_str(), "exiting\n");
    }
}

#[test]
fn env_replaces_earlier_value() {
    let b = WasiCtxBuilder::new().env("A", "1").env("A", "2");
    let o = run_file(&program("args"), b);
    assert!(o.ok().contains("env=[A=2]\n"));
    assert!(!o.stdout_str().contains("A=1"));
}
