//! Per-connection order on the multiplexed connection: 64 tasks each RPUSH 0..10 000 to
//! their own list over one shared connection; every list comes back in order.

use ferrodis::{Arg, ClientBuilder, Frame};
use ferrodis_test_support::RedisServer;

const TASKS: usize = 64;
const PUSHES: i64 = 10_000;

#[test]
fn each_task_sees_its_own_requests_in_order() {
    let server = RedisServer::start();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let client = ClientBuilder::new().host(server.host()).port(server.port()).build();
        let conn = client.get_multiplexed_connection().await.unwrap();
        let tasks: Vec<_> = (0..TASKS)
            .map(|t| {
                let conn = conn.clone();
                tokio::spawn(async move {
                    let list = format!("list:{t}");
                    for i in 0..PUSHES {
                        conn.request_with(&["RPUSH".into(), list.as_str().into(), Arg::from(i)], |_| ())
                            .await
                            .unwrap();
                    }
                    list
                })
            })
            .collect();
        for task in tasks {
            let list = task.await.unwrap();
            let in_order = conn
                .request_with(&["LRANGE".into(), list.as_str().into(), "0".into(), "-1".into()], |f| {
                    let items = f.as_aggregate().expect("an array");
                    items.len() == PUSHES as usize
                        && items
                            .iter()
                            .enumerate()
                            .all(|(i, x)| x == Frame::BulkString(i.to_string().as_bytes()))
                })
                .await
                .unwrap();
            assert!(in_order, "{list} is out of order");
        }
    });
}
