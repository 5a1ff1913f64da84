//! The firmware steps of `cargo xtask test`: build `examples/firmware` for Cortex-M4F,
//! report its flash and static RAM (the client's buffers apart), hold it to the budget,
//! and run it under `qemu-system-arm` with its UART bridged to a throwaway redis-server.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use ferrodis_test_support::{RedisServer, ServerKind};

use crate::cmd::{Cmd, root};
use crate::server;

/// The firmware's folder: its own workspace with its own `.cargo/config.toml`.
const DIR: &str = "examples/firmware";
/// The target it builds for.
const TARGET: &str = "thumbv7em-none-eabihf";
/// Flash budget, client included (bytes).
const FLASH_BUDGET: u64 = 32 * 1024;
/// Static RAM budget, the client's buffers not counted (bytes).
const RAM_BUDGET: u64 = 4 * 1024;
/// The client's buffers, which the caller gives and the RAM budget leaves out.
const BUFFERS: &[&str] = &["FERRODIS_READ_BUF", "FERRODIS_WRITE_BUF"];

/// Builds the firmware in release mode; returns the ELF.
pub(crate) fn build() -> Result<PathBuf, String> {
    let target_dir = root().join("target/firmware");
    Cmd::cargo()
        .args(["build", "--release", "--target-dir"])
        .arg(target_dir.display().to_string())
        .in_dir(DIR)
        .run()?;
    Ok(target_dir.join(TARGET).join("release/ferrodis-firmware"))
}

/// Section sizes of `elf` by name, from `llvm-size -A -d`.
fn sections(elf: &Path) -> Result<Vec<(String, u64)>, String> {
    let out = Cmd::new("llvm-size")
        .args(["-A", "-d"])
        .arg(elf.display().to_string())
        .probe()
        .ok_or("llvm-size failed (Debian package llvm)")?;
    Ok(out
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let name = words.next()?;
            let size = words.next()?.parse().ok()?;
            name.starts_with('.').then(|| (name.to_owned(), size))
        })
        .collect())
}

/// The size of each of the client's buffers, from `llvm-nm -S`.
fn buffers(elf: &Path) -> Result<Vec<(String, u64)>, String> {
    let out = Cmd::new("llvm-nm")
        .arg("-S")
        .arg(elf.display().to_string())
        .probe()
        .ok_or("llvm-nm failed (Debian package llvm)")?;
    Ok(out
        .lines()
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let (size, name) = (words.get(1)?, words.get(3)?);
            BUFFERS.contains(name).then(|| Some((name.to_string(), u64::from_str_radix(size, 16).ok()?)))?
        })
        .collect())
}

/// Reports flash (`.vector_table` + `.text` + `.rodata`) and static RAM (`.data` + `.bss`,
/// the client's buffers apart); fails when over the budget.
pub(crate) fn size(elf: &Path) -> Result<String, String> {
    let sections = sections(elf)?;
    let sum = |names: &[&str]| -> u64 {
        sections.iter().filter(|(n, _)| names.contains(&n.as_str())).map(|(_, s)| s).sum()
    };
    let flash = sum(&[".vector_table", ".text", ".rodata"]);
    let ram = sum(&[".data", ".bss"]);
    let buffers = buffers(elf)?;
    let buffer_bytes: u64 = buffers.iter().map(|(_, s)| s).sum();
    let own_ram = ram.saturating_sub(buffer_bytes);
    let listed: Vec<String> = buffers.iter().map(|(n, s)| format!("{n} {s} B")).collect();
    let note = format!(
        "flash {flash} B (budget {FLASH_BUDGET}), static RAM {own_ram} B (budget {RAM_BUDGET}) + client buffers {buffer_bytes} B ({})",
        listed.join(", ")
    );
    println!("firmware: {note}");
    if flash > FLASH_BUDGET || own_ram > RAM_BUDGET { Err(format!("over budget: {note}")) } else { Ok(note) }
}

/// Runs the firmware under QEMU against a throwaway redis-server; passes when it exits 0
/// after printing "all passed".
pub(crate) fn run_in_qemu(elf: &Path) -> Result<String, String> {
    let server = server::start(RedisServer::builder().server(ServerKind::Redis))?;
    let mut child = Cmd::new("qemu-system-arm")
        .args(["-machine", "mps2-an386", "-cpu", "cortex-m4", "-nographic", "-monitor", "none"])
        .args(["-semihosting-config", "enable=on,target=native"])
        .args(["-serial", &format!("tcp:{}", server.addr()), "-kernel"])
        .arg(elf.display().to_string())
        .command()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start qemu-system-arm (Debian package qemu-system-arm): {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err("the firmware did not finish within 60 s".to_owned());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut output = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        let _ = stdout.read_to_string(&mut output);
    }
    print!("{output}");
    drop(server);
    if status.success() && output.contains("all passed") {
        Ok("PING, SET, GET, INCR and a pipeline passed under QEMU".to_owned())
    } else {
        Err(format!("the firmware failed ({status}): {}", output.trim()))
    }
}
