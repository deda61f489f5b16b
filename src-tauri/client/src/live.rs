//! Live events: a server-sent events connection that resumes with `Last-Event-ID`.
//! Parsing is pure; `listen` does the I/O for one connection, and the runner reconnects.

use std::time::Duration;

use futures_util::StreamExt;
use portal_types::LiveEventView;

use crate::api::Api;
use crate::error::ClientResult;

/// One dispatched server-sent event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    pub id: Option<String>,
    pub event: String,
    pub data: String,
}

/// Incremental parser for a `text/event-stream` body.
#[derive(Debug, Default)]
pub struct SseParser {
    buffer: Vec<u8>,
    id: Option<String>,
    event: Option<String>,
    data: Vec<String>,
}

impl SseParser {
    /// Feeds received bytes; returns the events they complete.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        self.buffer.extend_from_slice(bytes);
        let mut events = Vec::new();
        while let Some(end) = self.buffer.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.buffer.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line[..end]);
            let line = line.strip_suffix('\r').unwrap_or(&line);
            if line.is_empty() {
                if !self.data.is_empty() {
                    events.push(SseEvent {
                        id: self.id.take(),
                        event: self.event.take().unwrap_or_else(|| "message".into()),
                        data: self.data.join("\n"),
                    });
                }
                self.data.clear();
                self.event = None;
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value).to_string();
            match field {
                "id" => self.id = Some(value),
                "event" => self.event = Some(value),
                "data" => self.data.push(value),
                _ => {}
            }
        }
        events
    }
}

/// Wait before reconnect attempt `failures` (1 s doubling up to a minute).
pub fn backoff(failures: u32) -> Duration {
    Duration::from_secs(1u64 << failures.min(6)).min(Duration::from_secs(60))
}

/// Follows the live events on one connection until it ends. `on_open` runs once the
/// server accepted the stream; `on_event` for every event.
pub async fn listen(
    api: &Api,
    last_event_id: Option<&str>,
    mut on_open: impl FnMut(),
    mut on_event: impl FnMut(LiveEventView),
) -> ClientResult<()> {
    let mut request = api.get("/portal/v1/events").header("Accept", "text/event-stream");
    if let Some(id) = last_event_id {
        request = request.header("Last-Event-ID", id);
    }
    let response = api.send(request).await?;
    on_open();
    let mut parser = SseParser::default();
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        for event in parser.feed(&chunk?) {
            match serde_json::from_str::<LiveEventView>(&event.data) {
                Ok(view) => on_event(view),
                Err(err) => tracing::warn!(error = %err, kind = %event.event, "unreadable live event skipped"),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_split_across_chunks_and_comments_skipped() {
        let mut parser = SseParser::default();
        assert!(parser.feed(b":connected\n\nid: 7\nevent: report_sha").is_empty());
        let events = parser.feed(b"red\ndata: {\"a\":\r\ndata: 1}\n\n");
        assert_eq!(
            events,
            [SseEvent { id: Some("7".into()), event: "report_shared".into(), data: "{\"a\":\n1}".into() }]
        );
    }

    #[test]
    fn multibyte_text_split_between_chunks_survives() {
        let mut parser = SseParser::default();
        let text = "data: متابعة\n\n".as_bytes();
        assert!(parser.feed(&text[..8]).is_empty());
        assert_eq!(parser.feed(&text[8..])[0].data, "متابعة");
    }

    #[test]
    fn backoff_doubles_up_to_a_minute() {
        assert_eq!(backoff(0), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(8));
        assert_eq!(backoff(30), Duration::from_secs(60));
    }
}
