//! The attention count (tray, window title, launcher badge) against a real server:
//! what staff do counts after the next sync, and opening its screen (a look) takes it
//! back to zero; the history the first sync brought does not count.

use ordinavo_client::attention::{Attention, Group};
use portal_types::{NewRequestInput, RequestKind, RequestView, SyncKind};
use serde_json::json;

use crate::support::{location, Stack, FACILITIES};

#[tokio::test]
async fn a_required_follow_up_and_a_shared_report_count_until_the_user_looks() {
    let stack = Stack::start();
    let mut client = stack.sign_in(FACILITIES).await;
    client.sync().await.unwrap();
    let first = client.attention().unwrap();
    assert_eq!((first.reports, first.request_changes), (0, 0), "the first sync's history is seen");
    client.look(Group::FollowUps).unwrap();
    assert_eq!(client.attention().unwrap(), Attention::default());

    let berlin = location(&client, "Berlin");
    let target = stack.target(&berlin.id, "Pump check").await;
    stack.post("/api/v1/follow-ups", json!({ "target_id": target, "description": "Replace the seal on pump 2" })).await;
    stack.published_report(&berlin.id, b"%PDF-1.4\n%%EOF\n").await;
    client.sync().await.unwrap();
    let counted = client.attention().unwrap();
    assert_eq!((counted.follow_ups, counted.reports, counted.total()), (1, 1, 2));
    assert_eq!(client.reader().unwrap().attention().unwrap(), counted, "the UI's reader counts the same");

    client.look(Group::FollowUps).unwrap();
    assert_eq!(client.attention().unwrap().follow_ups, 0);
    assert_eq!(client.attention().unwrap().reports, 1, "each screen resets its own group");
    client.look(Group::Reports).unwrap();
    client.sync().await.unwrap();
    assert_eq!(client.attention().unwrap(), Attention::default(), "and another sync brings nothing back");
}

#[tokio::test]
async fn a_decision_on_a_request_counts_until_the_user_opens_the_requests() {
    let stack = Stack::start();
    let mut client = stack.sign_in(FACILITIES).await;
    client.sync().await.unwrap();
    let berlin = location(&client, "Berlin");
    let input = NewRequestInput {
        location_id: berlin.id.clone(),
        kind: RequestKind::Support,
        title: "Badge reader offline".into(),
        description: "Main entrance".into(),
        preferred_windows: Vec::new(),
    };
    client.queue_request(&input).unwrap();
    assert_eq!(client.flush_outbox(&|_| {}).await.unwrap(), 1);
    client.sync().await.unwrap();
    assert_eq!(client.attention().unwrap().request_changes, 0, "the user's own submission is not news");

    let requests = client.window::<RequestView>(&ordinavo_client::cache::window::Window::of(SyncKind::Request, 500));
    let sent = requests.unwrap().items.into_iter().find(|r| r.title == input.title).unwrap();
    stack.post(&format!("/api/v1/requests/{}/decision", sent.id), json!({ "status": "accepted" })).await;
    client.sync().await.unwrap();
    assert_eq!(client.attention().unwrap().request_changes, 1);
    client.look(Group::RequestChanges).unwrap();
    assert_eq!(client.attention().unwrap().request_changes, 0);
}
