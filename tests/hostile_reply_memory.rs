//! A reply header announcing 512 MiB, followed by a trickle of its bytes, raises peak
//! memory by less than 1 MiB above the bytes received, on the blocking and on the
//! multiplexed connection: read buffers grow by what arrived, never by what a header
//! announced. A counting global allocator measures the peak.

#![allow(unsafe_code)] // a counting global allocator cannot be written without it

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ferrodis::{ClientBuilder, ErrorKind};
use ferrodis_test_support::FakeServer;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; the counters are
// atomics, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
        PEAK.fetch_max(now, Ordering::SeqCst);
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
        PEAK.fetch_max(now, Ordering::SeqCst);
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            let now =
                CURRENT.fetch_add(new_size - layout.size(), Ordering::SeqCst) + new_size - layout.size();
            PEAK.fetch_max(now, Ordering::SeqCst);
        } else {
            CURRENT.fetch_sub(layout.size() - new_size, Ordering::SeqCst);
        }
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// What the hostile server sends: a header announcing 536 870 000 bytes, then 200 KiB of
/// them, then nothing (it holds the connection open until the client gives up).
const SENT: usize = 200 * 1024;

fn hostile_server() -> FakeServer {
    FakeServer::start(|mut conn| {
        while let Some(_request) = conn.read_request()? {
            conn.write(b"$536870000\r\n")?;
            for _ in 0..SENT / 1024 {
                conn.write(&[b'x'; 1024])?;
            }
        }
        Ok(())
    })
}

/// The two tests measure one process-wide peak: one at a time.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Resets the peak to what is allocated now, and returns that.
fn baseline() -> usize {
    let now = CURRENT.load(Ordering::SeqCst);
    PEAK.store(now, Ordering::SeqCst);
    now
}

fn assert_bounded(what: &str, before: usize) {
    let grew = PEAK.load(Ordering::SeqCst).saturating_sub(before);
    eprintln!("{what}: peak memory grew by {grew} bytes for {SENT} bytes received");
    assert!(grew < SENT + (1 << 20), "{what}: peak memory grew by {grew} bytes for {SENT} bytes received");
}

#[test]
fn a_hostile_header_grows_memory_by_what_arrived_blocking() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let server = hostile_server();
    let client = ClientBuilder::new()
        .host("127.0.0.1")
        .port(server.port())
        .lib_name(None)
        .lib_version(None)
        .socket_timeout(Duration::from_millis(500))
        .build();
    let mut conn = client.get_connection().unwrap();
    let before = baseline();
    let e = conn.request_with(&["GET".into(), "k".into()], |_| ()).unwrap_err();
    assert!(e.is_timeout(), "{e}");
    assert_bounded("blocking", before);
}

#[test]
fn a_hostile_header_grows_memory_by_what_arrived_multiplexed() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let server = hostile_server();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let client = ClientBuilder::new()
            .host("127.0.0.1")
            .port(server.port())
            .lib_name(None)
            .lib_version(None)
            .socket_timeout(Duration::from_millis(500))
            .build();
        let conn = client.get_multiplexed_connection().await.unwrap();
        let before = baseline();
        let e = conn.request_with(&["GET".into(), "k".into()], |_| ()).await.unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Timeout), "{e}");
        // Let the socket task read whatever is still on its way.
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_bounded("multiplexed", before);
    });
}
