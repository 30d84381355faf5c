//! Hostile guests: a C program that tries every way out of its preopens (and every change to a
//! read-only one), and a WAT module that hands the host bad pointers, lengths, descriptors and
//! strings. The host tree is snapshotted before and after: nothing outside the sandbox may
//! change, and every WASI call must answer with an errno, never a trap or a panic.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, symlink};
use std::path::{Path, PathBuf};

use wvm_wasi::DirPerms;

use crate::{Exit, Wasi, c_program, tempdir, walk_tree, wat_program};

const SECRET: &str = "TOP SECRET: outside the sandbox\n";

/// One entry of a snapshot. Access times are left out (reading is allowed); everything a
/// change would touch is in: contents, link targets, size, mode, inode, link count, mtime, ctime.
#[derive(Debug, PartialEq, Eq)]
enum Entry {
    File {
        content: Vec<u8>,
        meta: Meta,
    },
    Dir {
        meta: Meta,
    },
    Symlink {
        target: PathBuf,
    },
    /// The read-write sandbox: its contents are the guest's to change.
    Sandbox,
}

#[derive(Debug, PartialEq, Eq)]
struct Meta {
    mode: u32,
    ino: u64,
    nlink: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

fn meta(m: &std::fs::Metadata) -> Meta {
    Meta {
        mode: m.mode(),
        ino: m.ino(),
        nlink: m.nlink(),
        mtime: (m.mtime(), m.mtime_nsec()),
        ctime: (m.ctime(), m.ctime_nsec()),
    }
}

/// Every entry under `root` (itself included, as ""), not descending into `sandbox`.
fn snapshot(root: &Path, sandbox: Option<&Path>) -> BTreeMap<PathBuf, Entry> {
    let mut out = BTreeMap::new();
    walk_tree(root, &mut |path, m| {
        let rel = path.strip_prefix(root).unwrap().to_path_buf();
        if Some(path) == sandbox {
            out.insert(rel, Entry::Sandbox);
            return false;
        }
        let entry = if m.file_type().is_symlink() {
            Entry::Symlink {
                target: std::fs::read_link(path).unwrap(),
            }
        } else if m.is_dir() {
            Entry::Dir { meta: meta(m) }
        } else {
            Entry::File {
                content: std::fs::read(path).unwrap(),
                meta: meta(m),
            }
        };
        out.insert(rel, entry);
        true
    });
    out
}

/// Asserts two snapshots are equal, naming every entry that differs.
#[track_caller]
fn assert_same_tree(
    before: &BTreeMap<PathBuf, Entry>,
    after: &BTreeMap<PathBuf, Entry>,
    context: &str,
) {
    let mut diffs = Vec::new();
    for (path, b) in before {
        match after.get(path) {
            None => diffs.push(format!("removed: {}", path.display())),
            Some(a) if a != b => diffs.push(format!(
                "changed: {}\n  before: {b:?}\n  after:  {a:?}",
                path.display()
            )),
            Some(_) => {}
        }
    }
    for (path, a) in after {
        if !before.contains_key(path) {
            diffs.push(format!("created: {} = {a:?}", path.display()));
        }
    }
    assert!(
        diffs.is_empty(),
        "the host tree changed outside the sandbox:\n{}\n{context}",
        diffs.join("\n")
    );
}

/// The tree hostile.c expects:
///
/// ```text
/// ROOT/outside/secret.txt, ROOT/outside/dir/inner.txt
/// ROOT/sandbox/            (preopened read-write as /data)
///     file.txt, sub/, sub/link_up2 -> ../../outside/secret.txt,
///     link_abs_file -> ROOT/outside/secret.txt     link_abs_dir -> ROOT/outside
///     link_rel_file -> ../outside/secret.txt       link_rel_dir -> ../outside
///     link_etc -> /etc/passwd                      link_root -> /
///     link_chain -> link_rel_file                  link_parent -> ..
///     link_dangling_rel -> ../outside/created_rel.txt
///     link_dangling_abs -> ROOT/outside/created_abs.txt
///     link_dangling_dir -> ../outside/newdir
///     bad-\xff-name     (a file whose name is not UTF-8)
/// ROOT/ro/                 (preopened read-only as /ro)
///     file.txt, dir/inner.txt, emptydir/
/// ROOT/empty/              (preopened as /empty, read-write unless every preopen is read-only)
/// ```
fn plant(root: &Path) {
    let outside = root.join("outside");
    let sandbox = root.join("sandbox");
    let ro = root.join("ro");
    for d in [
        outside.join("dir"),
        sandbox.join("sub"),
        ro.join("dir"),
        ro.join("emptydir"),
        root.join("empty"),
    ] {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::write(outside.join("secret.txt"), SECRET).unwrap();
    std::fs::write(outside.join("dir/inner.txt"), "outside inner\n").unwrap();
    std::fs::write(sandbox.join("file.txt"), "inside\n").unwrap();
    std::fs::write(ro.join("file.txt"), "read only\n").unwrap();
    std::fs::write(ro.join("dir/inner.txt"), "inner\n").unwrap();
    let links: [(&str, PathBuf); 12] = [
        ("sub/link_up2", "../../outside/secret.txt".into()),
        ("link_abs_file", outside.join("secret.txt")),
        ("link_abs_dir", outside.clone()),
        ("link_rel_file", "../outside/secret.txt".into()),
        ("link_rel_dir", "../outside".into()),
        ("link_etc", "/etc/passwd".into()),
        ("link_root", "/".into()),
        ("link_chain", "link_rel_file".into()),
        ("link_parent", "..".into()),
        ("link_dangling_rel", "../outside/created_rel.txt".into()),
        ("link_dangling_abs", outside.join("created_abs.txt")),
        ("link_dangling_dir", "../outside/newdir".into()),
    ];
    for (name, target) in links {
        symlink(target, sandbox.join(name)).unwrap();
    }
    std::fs::write(
        sandbox.join(OsStr::from_bytes(b"bad-\xff-name")),
        "not UTF-8\n",
    )
    .unwrap();
}

#[test]
fn hostile_program_cannot_leave_its_preopens() {
    let tmp = tempdir();
    let root = tmp.path().canonicalize().unwrap();
    plant(&root);
    let sandbox = root.join("sandbox");
    let before = snapshot(&root, Some(&sandbox));

    let out = Wasi::new("hostile.wasm")
        .arg(root.to_str().unwrap())
        .dir(&sandbox, "/data", DirPerms::ReadWrite)
        .dir(&root.join("ro"), "/ro", DirPerms::ReadOnly)
        .dir(&root.join("empty"), "/empty", DirPerms::ReadWrite)
        .run(&c_program("hostile"));
    let stdout = out.stdout();
    let context = format!("--- stdout:\n{stdout}\n--- stderr:\n{}", out.stderr());

    let after = snapshot(&root, Some(&sandbox));
    assert_same_tree(&before, &after, &context);

    let escaped: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("ESCAPED") || l.starts_with("BROKEN"))
        .collect();
    assert!(
        escaped.is_empty(),
        "attempts that should have failed:\n{}\n{context}",
        escaped.join("\n")
    );
    out.assert_exit(0);
    assert!(!stdout.contains("TOP SECRET"), "{context}");
    assert!(!stdout.contains("root:x:"), "/etc/passwd leaked\n{context}");
    let refused = stdout.lines().filter(|l| l.starts_with("refused ")).count();
    assert!(
        refused >= 150,
        "only {refused} attempts ran; did the program stop early?\n{context}"
    );
    // The sandbox keeps what the program did not manage to move or remove.
    assert_eq!(
        std::fs::read(sandbox.join("file.txt")).unwrap(),
        b"inside\n"
    );
}

#[test]
fn read_only_preopen_stays_unchanged() {
    // The whole tree, sandbox included, when every preopen is read-only: the hostile, fs and
    // copy programs all fail to change anything.
    let tmp = tempdir();
    let root = tmp.path().canonicalize().unwrap();
    plant(&root);
    let sandbox = root.join("sandbox");
    let before = snapshot(&root, None);

    let out = Wasi::new("hostile.wasm")
        .arg(root.to_str().unwrap())
        .dir(&sandbox, "/data", DirPerms::ReadOnly)
        .dir(&root.join("ro"), "/ro", DirPerms::ReadOnly)
        .dir(&root.join("empty"), "/empty", DirPerms::ReadOnly)
        .run(&c_program("hostile"));
    let context = format!(
        "--- stdout:\n{}\n--- stderr:\n{}",
        out.stdout(),
        out.stderr()
    );
    assert_same_tree(&before, &snapshot(&root, None), &context);
    let escaped: Vec<String> = out
        .stdout()
        .lines()
        .filter(|l| l.starts_with("ESCAPED") || l.starts_with("BROKEN"))
        .map(String::from)
        .collect();
    assert!(
        escaped.is_empty(),
        "attempts that should have failed:\n{}\n{context}",
        escaped.join("\n")
    );
    out.assert_exit(0);

    let out = Wasi::new("fs.wasm")
        .arg("/data")
        .dir(&sandbox, "/data", DirPerms::ReadOnly)
        .run(&c_program("fs"));
    assert!(
        out.exit != Exit::Code(0) && out.stdout().contains("FAIL"),
        "fs.c passed in a read-only preopen:\n{}",
        out.stdout()
    );
    let out = Wasi::new("copy.wasm")
        .args(&["/data/file.txt", "/data/copy.txt"])
        .dir(&sandbox, "/data", DirPerms::ReadOnly)
        .run(&c_program("copy"));
    out.assert_exit(1);
    assert_same_tree(
        &before,
        &snapshot(&root, None),
        "after fs.c and copy.c in a read-only /data",
    );
}

/// The errno values of WASI preview 1.
const EBADF: i32 = 8;
const EFAULT: i32 = 21;
const EILSEQ: i32 = 25;
const EINVAL: i32 = 28;
const EISDIR: i32 = 31;
const ENAMETOOLONG: i32 = 37;
const ENOTDIR: i32 = 54;
const EPERM: i32 = 63;
const ENOTCAPABLE: i32 = 76;

#[test]
fn bad_arguments_get_an_errno_not_a_trap() {
    let tmp = tempdir();
    std::fs::write(tmp.path().join("f.txt"), "0123456789").unwrap();
    let (mut s, out, err) = Wasi::new("errors.wat")
        .arg("an argument")
        .env("NAME", "value")
        .stdin("stdin data")
        .dir(tmp.path(), "/data", DirPerms::ReadWrite)
        .instantiate(&wat_program("errors"));

    let expected: &[(&str, &[i32])] = &[
        ("t_write_iovs_len_wraps_to_0", &[EFAULT, EINVAL]),
        ("t_write_iovs_len_wraps_to_8", &[EFAULT, EINVAL]),
        ("t_write_iovs_len_max", &[EFAULT, EINVAL]),
        ("t_write_iovs_len_past_memory", &[EFAULT, EINVAL]),
        ("t_write_iovs_ptr_straddles_end", &[EFAULT]),
        ("t_write_iovs_ptr_max", &[EFAULT]),
        ("t_write_buf_outside", &[EFAULT]),
        ("t_write_buf_straddles_end", &[EFAULT]),
        ("t_write_buf_wraps", &[EFAULT]),
        ("t_write_second_iovec_outside", &[EFAULT]),
        ("t_write_nwritten_outside", &[EFAULT]),
        ("t_write_bad_fd", &[EBADF]),
        ("t_write_fd_max", &[EBADF]),
        ("t_write_to_directory", &[EBADF, EISDIR, ENOTCAPABLE]),
        ("t_read_buf_outside", &[EFAULT]),
        ("t_read_iovs_len_wraps", &[EFAULT, EINVAL]),
        ("t_close_bad_fd", &[EBADF]),
        ("t_renumber_bad_fd", &[EBADF]),
        ("t_path_ptr_outside", &[EFAULT]),
        ("t_path_len_max", &[EFAULT]),
        ("t_path_runs_off_the_end", &[EFAULT]),
        ("t_path_wraps", &[EFAULT]),
        ("t_path_invalid_utf8", &[EILSEQ]),
        ("t_path_truncated_utf8", &[EILSEQ]),
        ("t_path_overlong_slash", &[EILSEQ]),
        ("t_path_interior_nul", &[EILSEQ, EINVAL]),
        ("t_path_fd_out_outside", &[EFAULT]),
        ("t_path_bad_dir_fd", &[EBADF]),
        ("t_path_on_a_non_directory", &[ENOTDIR, EBADF]),
        ("t_path_filestat_outside", &[EFAULT]),
        ("t_mkdir_path_outside", &[EFAULT]),
        ("t_mkdir_invalid_utf8", &[EILSEQ]),
        ("t_args_get_argv_outside", &[EFAULT]),
        ("t_args_get_buf_outside", &[EFAULT]),
        ("t_args_get_buf_wraps", &[EFAULT]),
        ("t_args_sizes_get_outside", &[EFAULT]),
        ("t_environ_get_outside", &[EFAULT]),
        ("t_environ_get_buf_outside", &[EFAULT]),
        ("t_environ_sizes_get_outside", &[EFAULT]),
        ("t_random_outside", &[EFAULT]),
        ("t_random_wraps", &[EFAULT]),
        ("t_clock_bad_id", &[EINVAL]),
        ("t_clock_result_outside", &[EFAULT]),
        ("t_clock_res_bad_id", &[EINVAL]),
        ("t_clock_res_outside", &[EFAULT]),
        ("t_poll_subs_outside", &[EFAULT]),
        ("t_poll_nsubs_wraps", &[EFAULT, EINVAL]),
        ("t_poll_events_outside", &[EFAULT]),
        ("t_poll_nevents_outside", &[EFAULT]),
        ("t_poll_bad_tag", &[EINVAL]),
        ("t_seek_bad_whence", &[EINVAL]),
        ("t_seek_negative", &[EINVAL]),
        ("t_seek_result_outside", &[EFAULT]),
        ("t_fdstat_outside", &[EFAULT]),
        ("t_filestat_outside", &[EFAULT]),
        ("t_prestat_bad_fd", &[EBADF]),
        ("t_prestat_not_a_preopen", &[EBADF]),
        ("t_prestat_outside", &[EFAULT]),
        ("t_prestat_dir_name_outside", &[EFAULT]),
        ("t_readdir_buf_outside", &[EFAULT]),
        ("t_readdir_bufused_outside", &[EFAULT]),
        ("t_path_component_too_long", &[ENAMETOOLONG]),
        (
            "t_path_of_60000_slashes",
            &[ENAMETOOLONG, ENOTCAPABLE, EPERM],
        ),
        ("t_prestat_dir_name_too_short", &[ENAMETOOLONG, EINVAL]),
    ];
    let mut wrong = Vec::new();
    for (name, allowed) in expected {
        let errno: i32 = s.call(name, ());
        if !allowed.contains(&errno) {
            wrong.push(format!(
                "{name}: got errno {errno}, expected one of {allowed:?}"
            ));
        }
    }
    // Every export is covered above.
    let exports: Vec<String> = s
        .instance
        .exports(&s.store)
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| n.starts_with("t_"))
        .collect();
    for name in &exports {
        assert!(
            expected.iter().any(|(n, _)| n == name),
            "{name} has no expectation"
        );
    }

    assert_eq!(
        s.read(1026, 1),
        [0xAA],
        "fd_prestat_dir_name wrote past the length it was given"
    );
    assert_eq!(s.call::<(), i32>("still_alive", ()), 0);
    assert!(
        wrong.is_empty(),
        "wrong errno values:\n{}",
        wrong.join("\n")
    );
    assert_eq!(
        String::from_utf8_lossy(&out.contents()),
        "still alive\n",
        "bytes reached stdout from a call that failed"
    );
    assert_eq!(err.contents(), b"");
    let mut names: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names, ["f.txt"], "a failed call created a file");
}

#[test]
fn a_module_without_an_exported_memory_gets_an_errno_or_a_trap() {
    let path = wat_program("no_memory");
    for export in ["write", "args_sizes"] {
        let (mut s, out, _) = Wasi::new("no_memory.wat").arg("x").instantiate(&path);
        let f = s
            .instance
            .get_typed_func::<(), i32>(&s.store, export)
            .unwrap();
        // A panic here fails the test; a trap or any errno is fine.
        match f.call(&mut s.store, ()) {
            Ok(errno) => assert_ne!(errno, 0, "{export} succeeded without a memory"),
            Err(e) => assert!(e.trap_code().is_some(), "{export}: {e}"),
        }
        assert_eq!(out.contents(), b"");
    }
    Wasi::new("no_memory.wat").run(&path).assert_exit(3);
}
