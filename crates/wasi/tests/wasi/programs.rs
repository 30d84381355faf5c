//! The C programs that use WASI as ordinary POSIX code does: files, arguments and environment,
//! exit status, standard streams, clocks and randomness.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use wvm_wasi::DirPerms;

use crate::{Exit, Wasi, c_program, repo_root, tempdir, wat_program};

/// Bytes that are not text: every byte value, in a pattern that does not repeat every 256.
fn binary_data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 + i / 256) as u8).collect()
}

#[test]
fn copy_copies_a_file_in_the_preopen() {
    let dir = tempdir();
    let data = binary_data(100_003);
    std::fs::write(dir.path().join("in.txt"), &data).unwrap();
    let out = Wasi::new("copy.wasm")
        .args(&["/data/in.txt", "/data/out.txt"])
        .dir(dir.path(), "/data", DirPerms::ReadWrite)
        .run(&c_program("copy"));
    out.assert_success();
    assert_eq!(out.stdout(), "");
    assert_eq!(out.stderr(), "");
    assert!(std::fs::read(dir.path().join("out.txt")).unwrap() == data);
}

#[test]
fn copy_of_an_empty_file_overwrites_the_destination() {
    let dir = tempdir();
    std::fs::write(dir.path().join("empty"), b"").unwrap();
    std::fs::write(dir.path().join("out.txt"), b"old contents").unwrap();
    Wasi::new("copy.wasm")
        .args(&["/data/empty", "/data/out.txt"])
        .dir(dir.path(), "/data", DirPerms::ReadWrite)
        .run(&c_program("copy"))
        .assert_success();
    assert_eq!(std::fs::read(dir.path().join("out.txt")).unwrap(), b"");
}

#[test]
fn copy_reports_a_missing_source() {
    let dir = tempdir();
    let out = Wasi::new("copy.wasm")
        .args(&["/data/missing.txt", "/data/out.txt"])
        .dir(dir.path(), "/data", DirPerms::ReadWrite)
        .run(&c_program("copy"));
    out.assert_exit(1);
    assert_eq!(
        out.stderr(),
        "/data/missing.txt: No such file or directory\n"
    );
    assert!(!dir.path().join("out.txt").exists());
}

#[test]
fn copy_cannot_write_into_a_read_only_preopen() {
    let dir = tempdir();
    std::fs::write(dir.path().join("in.txt"), b"data").unwrap();
    let out = Wasi::new("copy.wasm")
        .args(&["/data/in.txt", "/data/out.txt"])
        .dir(dir.path(), "/data", DirPerms::ReadOnly)
        .run(&c_program("copy"));
    out.assert_exit(1);
    assert!(
        out.stderr().starts_with("/data/out.txt: "),
        "stderr: {}",
        out.stderr()
    );
    assert!(!dir.path().join("out.txt").exists());
}

#[test]
fn copy_between_two_preopens() {
    let src = tempdir();
    let dst = tempdir();
    std::fs::write(src.path().join("in.txt"), b"from one to the other\n").unwrap();
    Wasi::new("copy.wasm")
        .args(&["/in/in.txt", "/out/copied.txt"])
        .dir(src.path(), "/in", DirPerms::ReadOnly)
        .dir(dst.path(), "/out", DirPerms::ReadWrite)
        .run(&c_program("copy"))
        .assert_success();
    assert_eq!(
        std::fs::read(dst.path().join("copied.txt")).unwrap(),
        b"from one to the other\n"
    );
}

#[test]
fn copy_without_a_preopen_sees_no_files() {
    let out = Wasi::new("copy.wasm")
        .args(&["/data/in.txt", "/data/out.txt"])
        .run(&c_program("copy"));
    out.assert_exit(1);
    assert!(
        out.stderr().starts_with("/data/in.txt: "),
        "{}",
        out.stderr()
    );
}

/// Issue 17: Rust's std and other runtimes' test suites reopen their preopen with
/// `path_open(3, 0, ".", O_DIRECTORY, the preopen's own rights)`. The preopen's rights include
/// FD_DATASYNC, which WVM once read as a request to write, answering EISDIR; wasmtime (and now
/// WVM) gives a directory descriptor that can list and create entries.
#[test]
fn reopening_the_preopen_with_its_own_rights_gives_a_usable_directory() {
    let dir = tempdir();
    std::fs::write(dir.path().join("seen.txt"), "").unwrap();
    let out = Wasi::new("reopen_preopen.wasm")
        .dir(dir.path(), "/data", DirPerms::ReadWrite)
        .run(&c_program("reopen_preopen"));
    out.assert_success();
    assert_eq!(
        out.stdout(),
        "reopened as fd 4, a directory\n\
         listed it: seen.txt is there\n\
         created made.txt (5 bytes) and made_dir beneath it\n"
    );
    assert_eq!(
        std::fs::read(dir.path().join("made.txt")).unwrap(),
        b"made\n"
    );
    assert!(dir.path().join("made_dir").is_dir());
}

/// Asked for a directory, path_open must not block on a FIFO (waiting for a writer that
/// never comes): it answers ENOTDIR at once.
#[test]
fn opening_a_fifo_as_a_directory_does_not_wait() {
    let dir = tempdir();
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", fifo.display());
    let (mut session, _, _) = Wasi::new("open_fifo.wat")
        .dir(dir.path(), "/data", DirPerms::ReadWrite)
        .instantiate(&wat_program("open_fifo"));
    let (done, wait) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(session.call::<(), i32>("open_fifo_as_directory", ()));
    });
    let errno = wait
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("path_open of a FIFO with O_DIRECTORY is still waiting after 20 s");
    assert_eq!(errno, 54, "ENOTDIR");
}

#[test]
fn fs_operations() {
    let dir = tempdir();
    let out = Wasi::new("fs.wasm")
        .arg("/data")
        .dir(dir.path(), "/data", DirPerms::ReadWrite)
        .run(&c_program("fs"));
    out.assert_success();
    let stdout = out.stdout();
    assert!(
        stdout.ends_with("all fs checks passed\n"),
        "stdout:\n{stdout}"
    );
    assert!(stdout.contains("readdir dir: a b c sub\n"), "{stdout}");
    assert_eq!(out.stderr(), "");
    check_fs_leftovers(dir.path());
}

/// What fs.c leaves behind, as seen from the host.
fn check_fs_leftovers(root: &Path) {
    let mut names: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "big.bin",
            "dir",
            "hard.txt",
            "kept.txt",
            "link.txt",
            "times.txt",
            "truncated.bin",
            "ünïcødé.txt"
        ]
    );
    let read = |name: &str| std::fs::read(root.join(name)).unwrap();
    assert_eq!(read("kept.txt"), b"hello WORLD\nmore\n");
    assert_eq!(read("hard.txt"), b"hello WORLD\nmore\n");
    let kept = std::fs::metadata(root.join("kept.txt")).unwrap();
    let hard = std::fs::metadata(root.join("hard.txt")).unwrap();
    assert_eq!(
        (kept.ino(), kept.nlink()),
        (hard.ino(), 2),
        "hard.txt is a hard link"
    );
    assert_eq!(
        std::fs::read_link(root.join("link.txt")).unwrap(),
        Path::new("kept.txt")
    );
    let times = std::fs::metadata(root.join("times.txt")).unwrap();
    assert_eq!((times.atime(), times.atime_nsec()), (1_000_000_000, 0));
    assert_eq!(
        (times.mtime(), times.mtime_nsec()),
        (1_200_000_000, 123_456_789)
    );
    let mut truncated = b"hello".to_vec();
    truncated.resize(100, 0);
    assert_eq!(read("truncated.bin"), truncated);
    let big: Vec<u8> = (0..256 * 1024).map(|i| (i * 7 % 251) as u8).collect();
    assert!(read("big.bin") == big, "big.bin differs");
    assert_eq!(read("ünïcødé.txt"), b"unicode");
    let mut entries: Vec<String> = std::fs::read_dir(root.join("dir"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    entries.sort();
    assert_eq!(entries, ["a", "b", "c", "sub"]);
    assert!(root.join("dir/sub").is_dir());
    assert_eq!(std::fs::read_dir(root.join("dir/sub")).unwrap().count(), 0);
}

#[test]
fn fs_operations_in_a_preopen_named_dot() {
    // wasi-libc resolves relative paths against "." when a preopen has that name, as
    // `wvm run --dir .` grants it.
    let dir = tempdir();
    Wasi::new("fs.wasm")
        .arg(".")
        .dir(dir.path(), ".", DirPerms::ReadWrite)
        .run(&c_program("fs"))
        .assert_success();
    check_fs_leftovers(dir.path());
}

#[test]
fn descriptors_streams_and_directory_semantics() {
    let dir = tempdir();
    let out = Wasi::new("descriptors.wasm")
        .arg("/data")
        .stdin("stdin data\n")
        .dir(dir.path(), "/data", DirPerms::ReadWrite)
        .run(&c_program("descriptors"));
    let stdout = out.stdout();
    out.assert_success();
    assert!(stdout.contains("\nwritev works\n"), "{stdout}");
    assert!(
        stdout.ends_with("all descriptor checks passed\n"),
        "{stdout}"
    );
}

#[test]
fn args_and_environment() {
    let out = Wasi::new("args_env.wasm")
        .args(&["HOME", "K", "EMPTY", "ünï", "with space", ""])
        .env("K", "V")
        .env("EMPTY", "")
        .env("ünï", "cødé")
        .env("EQ", "a=b=c")
        .run(&c_program("args_env"));
    out.assert_success();
    assert_eq!(
        out.stdout(),
        "argc=7\n\
         argv[0]=args_env.wasm\n\
         argv[1]=HOME\n\
         argv[2]=K\n\
         argv[3]=EMPTY\n\
         argv[4]=ünï\n\
         argv[5]=with space\n\
         argv[6]=\n\
         getenv(HOME)=(null)\n\
         getenv(K)=V\n\
         getenv(EMPTY)=\n\
         getenv(ünï)=cødé\n\
         getenv(with space)=(null)\n\
         getenv()=(null)\n\
         environ:\n\
         K=V\n\
         EMPTY=\n\
         ünï=cødé\n\
         EQ=a=b=c\n"
    );
}

#[test]
fn thousands_of_arguments_and_variables() {
    let args: Vec<String> = (0..3000).map(|i| format!("arg{i}")).collect();
    let mut wasi = Wasi::new("args_env.wasm");
    for a in &args {
        wasi = wasi.arg(a);
    }
    for i in 0..3000 {
        wasi = wasi.env(&format!("V{i}"), &"x".repeat(i % 50));
    }
    let out = wasi.run(&c_program("args_env"));
    out.assert_success();
    let stdout = out.stdout();
    assert!(stdout.starts_with("argc=3001\nargv[0]=args_env.wasm\nargv[1]=arg0\n"));
    assert!(stdout.contains("\nargv[3000]=arg2999\n"));
    assert!(stdout.contains(&format!("\nV2999={}\n", "x".repeat(2999 % 50))));
    assert_eq!(stdout.lines().filter(|l| l.starts_with('V')).count(), 3000);
}

#[test]
fn no_arguments_and_no_environment_unless_granted() {
    let out = Wasi::new("args_env.wasm").run(&c_program("args_env"));
    out.assert_success();
    assert_eq!(out.stdout(), "argc=1\nargv[0]=args_env.wasm\nenviron:\n");
}

#[test]
fn exit_status() {
    for code in [0, 1, 42, 125, 255] {
        let out = Wasi::new("exit.wasm")
            .arg(&code.to_string())
            .run(&c_program("exit"));
        out.assert_exit(code);
        // exit(3) flushes stdio before proc_exit.
        assert_eq!(out.stdout(), format!("exiting with {code}\n"));
    }
}

#[test]
fn exit_status_returned_from_main() {
    for code in [0, 3] {
        let out = Wasi::new("exit.wasm")
            .args(&[&code.to_string(), "return"])
            .run(&c_program("exit"));
        out.assert_exit(code);
        assert_eq!(out.stdout(), format!("exiting with {code}\n"));
    }
}

#[test]
fn cat_copies_stdin_to_stdout() {
    let input = binary_data(300_001);
    let out = Wasi::new("cat.wasm")
        .stdin(input.clone())
        .run(&c_program("cat"));
    out.assert_success();
    assert!(out.stdout == input, "stdout differs from stdin");
    assert_eq!(out.stderr(), "");
}

#[test]
fn cat_of_empty_stdin() {
    let out = Wasi::new("cat.wasm").run(&c_program("cat"));
    out.assert_success();
    assert_eq!(out.stdout(), "");
}

#[test]
fn clocks_advance_and_sleep_sleeps() {
    let out = Wasi::new("clock.wasm").run(&c_program("clock"));
    out.assert_success();
    let stdout = out.stdout();
    for line in [
        "ok CLOCK_REALTIME after 2020",
        "ok CLOCK_MONOTONIC advances",
        "ok CLOCK_PROCESS_CPUTIME_ID advances",
        "ok nanosleep 50ms",
        "ok usleep 50ms",
        "ok clock_nanosleep absolute 50ms",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
}

#[test]
fn random_bytes_are_fresh() {
    let out = Wasi::new("random.wasm").run(&c_program("random"));
    out.assert_success();
    assert_eq!(
        out.stdout(),
        "ok getentropy\nok getentropy one byte\nok arc4random_buf\nok arc4random\n"
    );
}

#[test]
fn deterministic_clocks_and_random_repeat_exactly() {
    let run = |seed| {
        let out = Wasi::new("entropy.wasm")
            .deterministic(1_700_000_000_000_000_000, 1_000, seed)
            .run(&c_program("entropy"));
        out.assert_success();
        out.stdout()
    };
    let first = run(7);
    assert_eq!(first, run(7), "the same seed gave a different run");
    assert_ne!(first, run(8), "another seed gave the same run");
    let lines: Vec<&str> = first.lines().collect();
    assert_eq!(lines.len(), 5, "{first}");
    // Realtime starts where it was told to and both clocks move forward on every reading.
    assert!(lines[1].starts_with("realtime 1700000000.000"), "{first}");
    assert!(lines[1] < lines[2] && lines[2] < lines[3], "{first}");
    assert_eq!(lines[4], "slept at least 1 ms: yes");
}

#[test]
fn host_clocks_and_random_differ_between_runs() {
    let run = || {
        let out = Wasi::new("entropy.wasm").run(&c_program("entropy"));
        out.assert_success();
        out.stdout()
    };
    let (a, b) = (run(), run());
    assert_ne!(
        a.lines().next(),
        b.lines().next(),
        "the same random bytes twice"
    );
}

#[test]
fn hello_through_wasi_unstable() {
    let out = Wasi::new("hello_unstable.wat").run(&wat_program("hello_unstable"));
    out.assert_success();
    assert_eq!(out.stdout(), "hello from wasi_unstable\n");
}

#[test]
fn hello_example() {
    let out = Wasi::new("hello.wat").run(&repo_root().join("examples/hello.wat"));
    assert_eq!(out.exit, Exit::Code(0));
    assert_eq!(out.stdout(), "hello\n");
}

#[test]
fn removing_entries_while_listing_misses_none() {
    let dir = tempdir();
    let out = Wasi::new("rmtree")
        .arg("/data/tree")
        .dir(dir.path(), "/data", DirPerms::ReadWrite)
        .run(&c_program("rmtree"));
    out.assert_success();
    assert_eq!(out.stdout(), "removed 300\n");
    assert!(!dir.path().join("tree").exists());
}

#[test]
fn overlapping_iovecs_write_short_instead_of_exhausting_the_host() {
    let out = Wasi::new("huge_write").run(&wat_program("huge_write"));
    out.assert_exit(0);
    assert_eq!(out.stdout.len(), 16 << 20);
}
