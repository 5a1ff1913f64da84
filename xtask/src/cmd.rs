//! Running one external program from the repository root, and finding programs on `PATH`.

use std::fmt;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The repository root: the folder above `xtask/`.
pub(crate) fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask/ sits in the repository root")
}

/// Whether an executable file of this name is in one of the `PATH` folders.
pub(crate) fn on_path(name: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let Some(path) = std::env::var_os("PATH") else { return false };
    std::env::split_paths(&path).any(|dir| {
        let file = dir.join(name);
        file.metadata().is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
    })
}

/// A command line, run from the repository root with the inherited environment plus the
/// variables added with [`Cmd::env`]; its `Display` is the line to paste into a shell.
#[derive(Debug, Clone)]
pub(crate) struct Cmd {
    /// The program, looked up on `PATH`.
    program: String,
    /// Its arguments.
    args: Vec<String>,
    /// Variables set on top of the inherited environment.
    envs: Vec<(String, String)>,
    /// Where it runs, relative to the repository root (the root itself when `None`).
    dir: Option<PathBuf>,
}

impl Cmd {
    /// A command running `program` with no arguments yet.
    pub(crate) fn new(program: &str) -> Self {
        Self { program: program.to_owned(), args: Vec::new(), envs: Vec::new(), dir: None }
    }

    /// `cargo`, through the rustup proxy on `PATH` so that `+toolchain` works and the
    /// toolchain that runs the xtask is the one its commands use.
    pub(crate) fn cargo() -> Self {
        Self::new("cargo")
    }

    /// Adds one argument.
    pub(crate) fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Adds several arguments.
    pub(crate) fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets an environment variable for this command only.
    pub(crate) fn env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.envs.push((key.to_owned(), value.into()));
        self
    }

    /// Runs it in `dir`, a folder of the repository (for crates with their own
    /// `.cargo/config.toml`, such as the firmware).
    pub(crate) fn in_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// The `std::process::Command` for this line, in the repository root (or its folder).
    pub(crate) fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        let dir = self.dir.as_ref().map_or_else(|| root().to_owned(), |d| root().join(d));
        command.args(&self.args).current_dir(dir);
        command.envs(self.envs.iter().map(|(k, v)| (k, v)));
        command
    }

    /// Prints it, then runs it with the terminal as its input and output; an error says how
    /// it ended.
    pub(crate) fn run(&self) -> Result<(), String> {
        println!("$ {self}");
        let status = self.command().status().map_err(|e| format!("cannot start `{self}`: {e}"))?;
        if status.success() { Ok(()) } else { Err(format!("{} failed ({status})", self.short())) }
    }

    /// Runs it like [`Cmd::run`], but passes its standard output through line by line and
    /// shows each line to `on_line` too.
    pub(crate) fn run_watching(&self, mut on_line: impl FnMut(&str)) -> Result<(), String> {
        println!("$ {self}");
        let mut child = self
            .command()
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start `{self}`: {e}"))?;
        let mut reader = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let mut stdout = std::io::stdout();
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    // Our own output may be closed (`| head`); keep draining the child anyway.
                    let _ = stdout.write_all(&line).and_then(|()| stdout.flush());
                    on_line(&String::from_utf8_lossy(&line));
                }
            }
        }
        let status = child.wait().map_err(|e| format!("cannot wait for `{self}`: {e}"))?;
        if status.success() { Ok(()) } else { Err(format!("{} failed ({status})", self.short())) }
    }

    /// The program and its leading words up to the first option, e.g. `cargo fmt`: enough
    /// to name it in a one-line message (the full line was printed when it started).
    fn short(&self) -> String {
        let words = self.args.iter().take_while(|a| !a.starts_with('-')).take(3);
        let words: Vec<&str> = [self.program.as_str()].into_iter().chain(words.map(String::as_str)).collect();
        words.join(" ")
    }

    /// Runs it quietly and returns its standard output if it succeeded: for questions such
    /// as "which targets are installed?".
    pub(crate) fn probe(&self) -> Option<String> {
        let output = self.command().stdin(Stdio::null()).stderr(Stdio::null()).output().ok()?;
        output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words = self.envs.iter().map(|(k, v)| format!("{k}={}", quote(v)));
        let words = words.chain([quote(&self.program)]).chain(self.args.iter().map(|a| quote(a)));
        let words: Vec<String> = words.collect();
        f.write_str(&words.join(" "))
    }
}

/// Quotes a word for a shell when it needs it; control characters (such as the separator of
/// `CARGO_ENCODED_RUSTFLAGS`) use bash's `$'\x1f'` form.
fn quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_=+./:,@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else if word.chars().any(char::is_control) {
        let escaped: String = word
            .chars()
            .map(|c| match c {
                '\\' | '\'' => format!("\\{c}"),
                c if c.is_control() => format!("\\x{:02x}", u32::from(c)),
                c => c.to_string(),
            })
            .collect();
        format!("$'{escaped}'")
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// A path relative to the repository root when it is inside it, for shorter messages.
pub(crate) fn show(path: &Path) -> PathBuf {
    path.strip_prefix(root()).map_or_else(|_| path.to_owned(), Path::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_a_pasteable_line() {
        let cmd = Cmd::cargo().args(["fuzz", "run", "decode", "--", "-dict=a b"]).env("RUSTC_BOOTSTRAP", "1");
        assert_eq!(cmd.to_string(), "RUSTC_BOOTSTRAP=1 cargo fuzz run decode -- '-dict=a b'");
        assert_eq!(cmd.short(), "cargo fuzz run decode");
        assert_eq!(Cmd::cargo().args(["fmt", "--all"]).short(), "cargo fmt");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("--sysroot\x1f/tmp/it's"), r"$'--sysroot\x1f/tmp/it\'s'");
    }

    #[test]
    fn finds_the_root_and_programs() {
        assert!(root().join("Cargo.toml").is_file());
        assert!(on_path("cargo"));
        assert!(!on_path("surely-no-such-program-here"));
        assert_eq!(show(&root().join("fuzz/resp.dict")), Path::new("fuzz/resp.dict"));
    }
}
