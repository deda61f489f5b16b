//! A second client process for the outbox crash tests. `send <app-dir> <location-id> <title>`
//! queues a request (`message <app-dir> <request-id> <body>` a message, `file <app-dir>
//! <request-id> <name>` a small PNG of that name) and sends it, then
//! stops between the server's answer and storing it (printing `sent`) so the test can
//! kill it there; `flush <app-dir>` resumes and sends whatever is waiting, printing how
//! many went out.

use std::sync::Arc;

use ordinavo_client::cache::NewFile;
use ordinavo_client::notifier::DesktopNotifier;
use ordinavo_client::Client;
use portal_types::{NewRequestInput, RequestKind};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let app_dir = std::path::Path::new(&args[2]);
    let mut client = Client::resume(app_dir, Arc::new(DesktopNotifier)).unwrap().expect("signed in");
    let pause = |key: &str| {
        println!("sent {key}");
        loop {
            std::thread::park();
        }
    };
    match args[1].as_str() {
        "send" => {
            let input = NewRequestInput {
                location_id: args[3].clone(),
                kind: RequestKind::Maintenance,
                title: args[4].clone(),
                description: "Water under the dock 3 door.".into(),
                preferred_windows: Vec::new(),
            };
            client.queue_request(&input).unwrap();
            client.flush_outbox(&pause).await.unwrap();
        }
        "message" => {
            client.queue_message(&args[3], &args[4]).unwrap();
            client.flush_outbox(&pause).await.unwrap();
        }
        "file" => {
            let bytes = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR probe photo";
            let file = NewFile { request_id: &args[3], file_name: &args[4], content_type: "image/png", bytes };
            client.queue_file(&file).unwrap();
            client.flush_outbox(&pause).await.unwrap();
        }
        "flush" => {
            let sent = client.flush_outbox(&|_| {}).await.unwrap();
            println!("flushed {sent}");
        }
        other => panic!("unknown mode {other}"),
    }
}
