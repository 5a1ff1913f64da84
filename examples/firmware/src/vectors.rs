//! The interrupt part of the vector table, as a device crate would give it: mps2-an386
//! has 32 external interrupts, and the firmware handles none of them.
#![allow(unsafe_code)]

/// One entry: a handler address.
type Vector = unsafe extern "C" fn();

unsafe extern "C" {
    /// cortex-m-rt's handler for anything unhandled.
    fn DefaultHandler();
}

/// Interrupts 0 to 31 of the CMSDK subsystem (UARTs, timers, ...), all unhandled.
// SAFETY: the name and section are what cortex-m-rt's `link.x` expects with its `device`
// feature; the table holds only handler addresses.
#[unsafe(link_section = ".vector_table.interrupts")]
#[unsafe(no_mangle)]
static __INTERRUPTS: [Vector; 32] = [DefaultHandler; 32];
