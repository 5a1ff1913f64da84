//! The CMSDK APB UART of Arm's MPS2 boards (UART0 at `0x4000_4000` on mps2-an386), polled,
//! as an [`embedded_io::Read`] + [`embedded_io::Write`] transport for the blocking client.
//!
//! The only `unsafe` of the firmware: volatile accesses to the UART's registers.
#![allow(unsafe_code)]

use core::ptr::{read_volatile, write_volatile};

use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;

/// UART0's base address on mps2-an385/an386.
pub const UART0: usize = 0x4000_4000;
/// The divider for 115 200 baud from the board's 25 MHz peripheral clock.
pub const BAUDDIV_115200: u32 = 25_000_000 / 115_200;

const DATA: usize = 0x00;
const STATE: usize = 0x04;
const CTRL: usize = 0x08;
const BAUDDIV: usize = 0x10;

const STATE_TX_FULL: u32 = 1 << 0;
const STATE_RX_FULL: u32 = 1 << 1;
const STATE_RX_OVERRUN: u32 = 1 << 3;
const CTRL_TX_ENABLE: u32 = 1 << 0;
const CTRL_RX_ENABLE: u32 = 1 << 1;

/// How many status polls without a new byte end a read: a reply arrives as a burst, so
/// one read takes the whole burst rather than a byte at a time.
const IDLE_POLLS: u32 = 2_000;

/// SysTick's reload value: it wraps every 2^24 core cycles (0.67 s at 25 MHz).
const SYST_RELOAD: u32 = 0x00ff_ffff;

/// What can go wrong on the UART.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UartError {
    /// A byte was lost: the one-byte receive register was not read in time.
    Overrun,
    /// Nothing arrived within the read timeout.
    TimedOut,
}

impl core::fmt::Display for UartError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            UartError::Overrun => "UART receive overrun",
            UartError::TimedOut => "UART read timed out",
        })
    }
}

impl core::error::Error for UartError {}

impl embedded_io::Error for UartError {
    fn kind(&self) -> embedded_io::ErrorKind {
        match self {
            UartError::Overrun => embedded_io::ErrorKind::InvalidData,
            UartError::TimedOut => embedded_io::ErrorKind::TimedOut,
        }
    }
}

/// One CMSDK UART, polled, with a read timeout measured by SysTick.
pub struct Uart {
    base: usize,
    systick: SYST,
    /// How many SysTick wraps a read waits for its first byte.
    timeout_wraps: u32,
}

impl Uart {
    /// Sets the baud divider and enables the transmitter and the receiver. SysTick runs
    /// from the core clock; a read waits at most `timeout_wraps` of its 2^24-cycle periods
    /// for a first byte.
    ///
    /// # Safety
    ///
    /// `base` is the address of a CMSDK APB UART, and nothing else drives that UART.
    pub unsafe fn new(base: usize, bauddiv: u32, mut systick: SYST, timeout_wraps: u32) -> Self {
        systick.set_clock_source(SystClkSource::Core);
        systick.set_reload(SYST_RELOAD);
        systick.clear_current();
        systick.enable_counter();
        let uart = Uart { base, systick, timeout_wraps };
        // SAFETY: the caller guarantees a CMSDK UART at `base` that is ours alone.
        unsafe {
            uart.store(BAUDDIV, bauddiv);
            uart.store(CTRL, CTRL_TX_ENABLE | CTRL_RX_ENABLE);
        }
        uart
    }

    /// # Safety
    ///
    /// `offset` is one of the register offsets above.
    unsafe fn load(&self, offset: usize) -> u32 {
        // SAFETY: `base + offset` is a readable register of the UART (`new`'s contract).
        unsafe { read_volatile((self.base + offset) as *const u32) }
    }

    /// # Safety
    ///
    /// `offset` is one of the register offsets above.
    unsafe fn store(&self, offset: usize, value: u32) {
        // SAFETY: `base + offset` is a writable register of the UART (`new`'s contract).
        unsafe { write_volatile((self.base + offset) as *mut u32, value) }
    }

    fn state(&self) -> u32 {
        // SAFETY: STATE is a register of this UART.
        unsafe { self.load(STATE) }
    }

    /// The received byte (reading it frees the receive register).
    fn take_byte(&self) -> u8 {
        // SAFETY: DATA is a register of this UART; only its low byte carries data.
        unsafe { self.load(DATA) as u8 }
    }

    fn check_overrun(&self) -> Result<(), UartError> {
        if self.state() & STATE_RX_OVERRUN != 0 {
            // SAFETY: writing 1 to the overrun bit of STATE clears it.
            unsafe { self.store(STATE, STATE_RX_OVERRUN) };
            return Err(UartError::Overrun);
        }
        Ok(())
    }
}

impl embedded_io::ErrorType for Uart {
    type Error = UartError;
}

impl embedded_io::Read for Uart {
    /// Waits for a byte (within the timeout), then takes the bytes that follow it without
    /// a pause.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, UartError> {
        if buf.is_empty() {
            return Ok(0);
        }
        let _ = self.systick.has_wrapped(); // reading it clears the flag
        let mut wraps = 0;
        while self.state() & STATE_RX_FULL == 0 {
            self.check_overrun()?;
            if self.systick.has_wrapped() {
                wraps += 1;
                if wraps > self.timeout_wraps {
                    return Err(UartError::TimedOut);
                }
            }
        }
        let mut n = 0;
        'burst: while n < buf.len() {
            buf[n] = self.take_byte();
            n += 1;
            let mut idle = 0;
            while self.state() & STATE_RX_FULL == 0 {
                idle += 1;
                if idle == IDLE_POLLS {
                    break 'burst;
                }
            }
        }
        self.check_overrun()?;
        Ok(n)
    }
}

impl embedded_io::Write for Uart {
    fn write(&mut self, buf: &[u8]) -> Result<usize, UartError> {
        for &byte in buf {
            while self.state() & STATE_TX_FULL != 0 {}
            // SAFETY: DATA is a register of this UART; writing it sends the byte.
            unsafe { self.store(DATA, u32::from(byte)) };
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), UartError> {
        while self.state() & STATE_TX_FULL != 0 {}
        Ok(())
    }
}
