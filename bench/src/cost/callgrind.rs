//! Running a program under `valgrind --tool=callgrind` and reading what it counted: the
//! instructions executed (`Ir`, user space only: the kernel's side of a syscall is not
//! counted) and the calls into the allocator.
//!
//! An allocation is a call to `malloc`, `calloc`, `realloc`, `posix_memalign`,
//! `aligned_alloc` or `memalign` from another object file than the allocator's own (the
//! program calling into libc), so the allocator's calls to itself (glibc's `realloc` of a
//! null pointer calls `malloc`) are not counted twice. Rust's global allocator reaches
//! these through `__rust_alloc`; a `realloc` (a `Vec` growing) counts as one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The allocator entry points whose calls are counted.
const ALLOCATORS: [&str; 6] = ["malloc", "calloc", "realloc", "posix_memalign", "aligned_alloc", "memalign"];

/// What callgrind counted over one run of a program.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Instructions executed, every thread together.
    pub(crate) instructions: u64,
    /// Calls into the allocator (see the module docs).
    pub(crate) allocations: u64,
}

/// `valgrind`, found on `PATH`.
#[derive(Debug, Clone)]
pub(crate) struct Callgrind {
    valgrind: PathBuf,
}

impl Callgrind {
    /// Finds `valgrind`, or fails with the command that installs it.
    pub(crate) fn find() -> Result<Self, String> {
        Ok(Self { valgrind: crate::program::find("valgrind", "valgrind")? })
    }

    /// `valgrind --version` (`valgrind-3.19.0`), or `valgrind` when it cannot be read.
    pub(crate) fn version(&self) -> String {
        Command::new(&self.valgrind)
            .arg("--version")
            .output()
            .ok()
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "valgrind".into())
    }

    /// Runs `program` with `args` under callgrind, its output file at `out`, and reads the
    /// counts; an error, with the end of what the program printed, when it fails.
    pub(crate) fn count(&self, program: &Path, args: &[String], out: &Path) -> Result<Counts, String> {
        let output = Command::new(&self.valgrind)
            .args(["--tool=callgrind", "--dump-instr=no", "-q"])
            .arg(format!("--callgrind-out-file={}", out.display()))
            .arg(program)
            .args(args)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.valgrind.display()))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let tail: Vec<&str> = stderr.lines().rev().take(20).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            return Err(format!("callgrind run failed ({}): {}", output.status, tail.join("\n")));
        }
        let text = std::fs::read_to_string(out).map_err(|e| format!("cannot read {}: {e}", out.display()))?;
        parse(&text).ok_or_else(|| format!("{} has no `totals:` or `summary:` line", out.display()))
    }
}

/// One of the file's name tables: with `--compress-strings` (the default) a name is
/// written in full once, as `(12) name`, and as `(12)` after that.
#[derive(Debug, Default)]
struct Names {
    by_id: HashMap<String, String>,
}

impl Names {
    /// The name that `spec` (what follows `fn=`, `cob=`, ...) stands for, learning it when
    /// it is written in full.
    fn resolve(&mut self, spec: &str) -> String {
        let spec = spec.trim();
        match spec.strip_prefix('(').and_then(|rest| rest.split_once(')')) {
            Some((id, "")) => self.by_id.get(id).cloned().unwrap_or_default(),
            Some((id, full)) => {
                let full = full.trim().to_string();
                self.by_id.insert(id.to_string(), full.clone());
                full
            }
            None => spec.to_string(),
        }
    }
}

/// The counts in the text of a callgrind output file (names compressed or not); `None`
/// without a total.
fn parse(text: &str) -> Option<Counts> {
    // Functions (`fn`, `cfn`) and object files (`ob`, `cob`) number their names apart.
    let (mut functions, mut objects) = (Names::default(), Names::default());
    let mut caller_object = String::new();
    let (mut callee_object, mut callee) = (None::<String>, String::new());
    let mut counts = Counts::default();
    let mut total = None;
    for line in text.lines() {
        if let Some(spec) = line.strip_prefix("ob=") {
            caller_object = objects.resolve(spec);
        } else if let Some(spec) = line.strip_prefix("fn=") {
            // Only to learn the name: a later `cfn=(12)` may stand for it.
            functions.resolve(spec);
        } else if let Some(spec) = line.strip_prefix("cob=") {
            callee_object = Some(objects.resolve(spec));
        } else if let Some(spec) = line.strip_prefix("cfn=") {
            callee = functions.resolve(spec);
        } else if let Some(rest) = line.strip_prefix("calls=") {
            let calls: u64 = rest.split_whitespace().next()?.parse().ok()?;
            // Without `cob=`, the callee is in the caller's object.
            let into_other_object = callee_object.take().is_some_and(|o| o != caller_object);
            if into_other_object && ALLOCATORS.contains(&callee.as_str()) {
                counts.allocations += calls;
            }
        } else if let Some(rest) = line.strip_prefix("totals:").or_else(|| line.strip_prefix("summary:")) {
            total = rest.split_whitespace().next()?.parse().ok();
        }
    }
    counts.instructions = total?;
    Some(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cut-down callgrind file: the program calls `malloc` 3 times and `realloc` once
    /// (through `__rdl_alloc` and `__rdl_realloc`), and glibc's `realloc` calls `malloc` once
    /// itself, which is not counted; `free` is not an allocation.
    const FILE: &str = "\
# callgrind format
version: 1
events: Ir
summary: 123456
ob=(1) /bench
fl=(1) library/std/src/sys/alloc/unix.rs
fn=(1) __rdl_alloc
0 10
cob=(2) /usr/lib/x86_64-linux-gnu/libc.so.6
cfi=(2) ./malloc/malloc.c
cfn=(2) malloc
calls=2 0
0 300
cob=(2)
cfn=(2)
calls=1 0
0 150
fn=(3) __rdl_realloc
cob=(2)
cfn=(4) realloc
calls=1 0
0 90
cob=(2)
cfn=(5) free
calls=4 0
0 40
ob=(2)
fl=(2)
fn=(4)
0 20
cfn=(2)
calls=1 0
0 60

totals: 123456
";

    #[test]
    fn totals_and_allocations() {
        assert_eq!(parse(FILE), Some(Counts { instructions: 123_456, allocations: 4 }));
        let uncompressed =
            "events: Ir\nob=/bench\nfn=main\ncob=/libc.so.6\ncfn=calloc\ncalls=7 1\n1 9\ntotals: 42\n";
        assert_eq!(parse(uncompressed), Some(Counts { instructions: 42, allocations: 7 }));
        assert_eq!(parse("events: Ir\n"), None);
    }
}
