//! The ferrodis client on a microcontroller: a `no_std`, `no_main` Cortex-M4F program that
//! talks to Redis over its UART with the core's blocking connection, and exits through
//! semihosting with success or failure.
//!
//! It runs under QEMU's `mps2-an386` machine, whose UART0 QEMU bridges to a redis-server
//! TCP port (`-serial tcp:127.0.0.1:PORT`): see the README's firmware section.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

mod uart;
mod vectors;

use cortex_m_rt::{ExceptionFrame, entry, exception};
use cortex_m_semihosting::{debug, hio};
use ferrodis_core::conn::Handshake;
use ferrodis_core::conn::blocking::Connection;
use ferrodis_core::resp::{Arg, Frame};
use ferrodis_core::{Error, ErrorKind};

use crate::uart::{BAUDDIV_115200, UART0, Uart};

/// The client's read buffer: the largest reply it takes whole.
const READ_LEN: usize = 512;
/// The client's write buffer: how many requests go out in one write.
const WRITE_LEN: usize = 256;

// The buffers the caller gives the client, under fixed names so that the size report can
// list them apart from the firmware's own static RAM.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
static mut FERRODIS_READ_BUF: [u8; READ_LEN] = [0; READ_LEN];
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
static mut FERRODIS_WRITE_BUF: [u8; WRITE_LEN] = [0; WRITE_LEN];

/// How long a read waits for the server: 15 SysTick periods of 2^24 cycles, 10 s at 25 MHz.
const READ_TIMEOUT_WRAPS: u32 = 15;

#[entry]
fn main() -> ! {
    let Some(peripherals) = cortex_m::Peripherals::take() else {
        exit(b"ferrodis-firmware: core peripherals already taken", false)
    };
    // SAFETY: UART0 of mps2-an386 is at UART0, and this program is all that drives it.
    #[allow(unsafe_code)]
    let uart = unsafe { Uart::new(UART0, BAUDDIV_115200, peripherals.SYST, READ_TIMEOUT_WRAPS) };
    let (read_ptr, write_ptr) = (&raw mut FERRODIS_READ_BUF, &raw mut FERRODIS_WRITE_BUF);
    // SAFETY: `main` runs once and never returns, and nothing else names the buffers, so
    // these are the only references to them, ever.
    #[allow(unsafe_code)]
    let (read_buf, write_buf) = unsafe { (&mut *read_ptr, &mut *write_ptr) };

    let mut redis = Connection::new(uart, read_buf, write_buf);
    match run(&mut redis) {
        Ok(()) => exit(b"ferrodis-firmware: PING, SET, GET, INCR and a pipeline: all passed\n", true),
        Err(Failure { step, reason }) => {
            say(b"ferrodis-firmware: FAILED at ");
            say(step.as_bytes());
            say(b": ");
            exit(reason.as_bytes(), false)
        }
    }
}

type Redis = Connection<Uart, &'static mut [u8; READ_LEN], &'static mut [u8; WRITE_LEN]>;

/// Where the checks stopped, and why.
struct Failure {
    step: &'static str,
    reason: &'static str,
}

/// The checks: each request and the reply it must get.
fn run(redis: &mut Redis) -> Result<(), Failure> {
    let handshake = Handshake { client_name: Some("ferrodis-firmware"), ..Handshake::DEFAULT };
    redis.handshake(&handshake).map_err(failed("handshake"))?;

    let pong = redis.request(&["PING".into()]).map_err(failed("PING"))?;
    expect("PING", pong == Frame::SimpleString(b"PONG"))?;

    let greeting: &[u8] = b"hello from a Cortex-M4";
    let ok = redis.request(&["SET".into(), "fw:greeting".into(), greeting.into()]).map_err(failed("SET"))?;
    expect("SET", ok == Frame::SimpleString(b"OK"))?;

    let value = redis.request(&["GET".into(), "fw:greeting".into()]).map_err(failed("GET"))?;
    expect("GET", value == Frame::BulkString(greeting))?;

    redis.request(&["DEL".into(), "fw:counter".into()]).map_err(failed("DEL"))?;
    let one = redis.request(&["INCR".into(), "fw:counter".into()]).map_err(failed("INCR"))?;
    expect("INCR", one == Frame::Integer(1))?;

    // One write, six replies in order.
    let incr = [Arg::from("INCR"), Arg::from("fw:counter")];
    let get = [Arg::from("GET"), Arg::from("fw:greeting")];
    let ping = [Arg::from("PING")];
    let commands: [&[Arg<'_>]; 6] = [&incr, &incr, &incr, &incr, &get, &ping];
    let mut replies_ok = 0;
    redis
        .pipeline(&commands, |index, reply| {
            let expected = match index {
                0..=3 => Frame::Integer(index as i64 + 2),
                4 => Frame::BulkString(greeting),
                _ => Frame::SimpleString(b"PONG"),
            };
            if reply == expected {
                replies_ok += 1;
            }
        })
        .map_err(failed("pipeline"))?;
    expect("pipeline", replies_ok == commands.len())
}

fn expect(step: &'static str, ok: bool) -> Result<(), Failure> {
    if ok { Ok(()) } else { Err(Failure { step, reason: "wrong reply" }) }
}

/// Turns a client error into a failure of `step`, with a static reason (no formatting
/// machinery in the firmware).
fn failed<E>(step: &'static str) -> impl FnOnce(Error<E>) -> Failure {
    move |e| {
        let reason = match e.kind() {
            ErrorKind::Io(_) => "UART error or timeout",
            ErrorKind::Closed => "connection closed",
            ErrorKind::Decode(_) => "invalid RESP from the server",
            ErrorKind::Server(_) => "error reply",
            ErrorKind::ReplyTooLarge { .. } => "reply larger than the read buffer",
            ErrorKind::UnexpectedReply => "unexpected reply",
            ErrorKind::Broken => "connection broken",
            _ => "client error",
        };
        Failure { step, reason }
    }
}

/// Writes `text` to the host's stdout through semihosting.
fn say(text: &[u8]) {
    if let Ok(mut out) = hio::hstdout() {
        let _ = out.write_all(text);
    }
}

/// Writes `text` and a newline, and ends the program (QEMU exits 0 or 1).
fn exit(text: &[u8], success: bool) -> ! {
    say(text);
    if !text.ends_with(b"\n") {
        say(b"\n");
    }
    debug::exit(if success { debug::EXIT_SUCCESS } else { debug::EXIT_FAILURE });
    // Only reached without a semihosting host.
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    say(b"ferrodis-firmware: panicked at ");
    if let Some(location) = info.location() {
        say(location.file().as_bytes());
        say(b":");
        let mut digits = [0u8; 10];
        let mut at = digits.len();
        let mut line = location.line();
        loop {
            at -= 1;
            digits[at] = b'0' + (line % 10) as u8;
            line /= 10;
            if line == 0 {
                break;
            }
        }
        say(&digits[at..]);
    }
    exit(b"", false)
}

#[exception]
#[allow(unsafe_code)]
unsafe fn HardFault(_frame: &ExceptionFrame) -> ! {
    exit(b"ferrodis-firmware: hard fault", false)
}
