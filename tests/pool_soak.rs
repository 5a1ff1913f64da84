//! Both pools under sustained contention for 10 s against a real server: 64 threads on a
//! blocking pool of 8, and 512 Tokio tasks on an async pool of 8. No request fails, the
//! pool never opens more than its limit, every command counted is in the server's
//! counter, and `CLIENT LIST` afterwards shows no connection leaked.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use ferrodis::{
    AsyncCommands, AsyncConnectionPool, ClientBuilder, Commands, ConnectionConfig, ConnectionPool,
};
use ferrodis_test_support::RedisServer;

const RUN_FOR: Duration = Duration::from_secs(10);
const POOL_SIZE: usize = 8;

fn config(server: &RedisServer) -> ConnectionConfig {
    ClientBuilder::new().host(server.host()).port(server.port()).build().config().clone()
}

/// The clients the server has, the one asking included.
fn clients(server: &RedisServer) -> usize {
    server.redis_cli(&["CLIENT", "LIST"]).lines().count()
}

/// The clients the server has once it has seen the closed sockets go (it reads a close
/// in its own time): waits up to 1 s for only `redis-cli` to be left.
fn clients_after_close(server: &RedisServer) -> usize {
    let mut left = clients(server);
    for _ in 0..50 {
        if left == 1 {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
        left = clients(server);
    }
    left
}

#[test]
fn sixty_four_threads_on_a_blocking_pool_of_eight() {
    let server = RedisServer::start();
    let pool = ConnectionPool::new(config(&server)).max_connections(POOL_SIZE).wait(Duration::from_secs(5));
    let (stop, done, most_open) = (AtomicBool::new(false), AtomicU64::new(0), AtomicU64::new(0));
    std::thread::scope(|scope| {
        for _ in 0..64 {
            scope.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    let mut conn = pool.get_connection().expect("a connection within the wait");
                    let _: i64 = conn.incr("hits", 1).expect("INCR on a pooled connection");
                    drop(conn);
                    done.fetch_add(1, Ordering::Relaxed);
                    most_open.fetch_max(pool.open_connections() as u64, Ordering::Relaxed);
                }
            });
        }
        std::thread::sleep(RUN_FOR);
        stop.store(true, Ordering::Relaxed);
    });
    let done = done.load(Ordering::Relaxed);
    assert!(done > 0);
    assert!(most_open.load(Ordering::Relaxed) <= POOL_SIZE as u64);
    assert_eq!(server.redis_cli(&["GET", "hits"]), done.to_string(), "every INCR counted once");
    assert_eq!(pool.open_connections(), pool.idle_connections(), "every connection came back");
    assert!(clients(&server) <= POOL_SIZE + 1, "{}", server.redis_cli(&["CLIENT", "LIST"]));
    pool.disconnect(true);
    assert_eq!(clients_after_close(&server), 1, "closed with the pool: nothing leaked");
}

#[test]
fn five_hundred_twelve_tasks_on_an_async_pool_of_eight() {
    let server = RedisServer::start();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let pool =
        AsyncConnectionPool::new(config(&server)).max_connections(POOL_SIZE).wait(Duration::from_secs(5));
    let (done, most_open) = runtime.block_on(async {
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let tasks: Vec<_> = (0..512)
            .map(|_| {
                let (pool, stop) = (pool.clone(), stop.clone());
                tokio::spawn(async move {
                    let (mut done, mut most_open) = (0u64, 0usize);
                    while !stop.load(Ordering::Relaxed) {
                        let conn = pool.get_connection().await.expect("a connection within the wait");
                        let _: i64 = conn.incr("hits", 1).await.expect("INCR on a pooled connection");
                        drop(conn);
                        done += 1;
                        most_open = most_open.max(pool.open_connections());
                    }
                    (done, most_open)
                })
            })
            .collect();
        tokio::time::sleep(RUN_FOR).await;
        stop.store(true, Ordering::Relaxed);
        let (mut done, mut most_open) = (0, 0);
        for task in tasks {
            let (task_done, task_most) = task.await.expect("no task panicked");
            done += task_done;
            most_open = most_open.max(task_most);
        }
        (done, most_open)
    });
    assert!(done > 0);
    assert!(most_open <= POOL_SIZE, "{most_open} open");
    assert_eq!(server.redis_cli(&["GET", "hits"]), done.to_string(), "every INCR counted once");
    assert_eq!(pool.open_connections(), pool.idle_connections(), "every connection came back");
    assert!(clients(&server) <= POOL_SIZE + 1, "{}", server.redis_cli(&["CLIENT", "LIST"]));
    runtime.block_on(async { pool.disconnect(true) });
    drop(runtime);
    assert_eq!(clients_after_close(&server), 1, "closed with the pool: nothing leaked");
}
