//! Graceful shutdown. SIGTERM or Ctrl-C cancels one token that the listeners, the
//! live event streams and the background work all watch: the listeners stop
//! accepting, event streams end with a `retry:` hint so clients reconnect (to
//! another instance behind the load balancer), and requests in flight finish.

use std::time::Duration;

use tokio::signal::unix::{signal, SignalKind};
use tokio_util::sync::CancellationToken;

/// How long requests in flight may take once shutdown began; then the process exits
/// anyway, before a supervisor's own stop timeout would kill it.
pub const DRAIN: Duration = Duration::from_secs(25);

/// After how long a client whose event stream ended for shutdown should reconnect.
pub const RECONNECT: Duration = Duration::from_secs(1);

/// Cancels `token` on the first SIGTERM or Ctrl-C. The handlers are installed before
/// this returns, so a SIGTERM right after start is not lost to the default action.
pub fn cancel_on_signal(token: CancellationToken) {
    let terminate = signal(SignalKind::terminate());
    tokio::spawn(async move {
        let terminate = async {
            match terminate {
                Ok(mut terminate) => {
                    terminate.recv().await;
                }
                Err(err) => {
                    tracing::warn!(error = %err, "cannot listen for SIGTERM; only Ctrl-C shuts down gracefully");
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = terminate => {}
            () = token.cancelled() => return,
        }
        tracing::info!("shutting down: no new connections; ending event streams; finishing requests in flight");
        token.cancel();
    });
}

/// Completes `DRAIN` after `token` is cancelled: the limit on finishing in-flight work.
pub async fn drain_deadline(token: CancellationToken) {
    token.cancelled().await;
    tokio::time::sleep(DRAIN).await;
}
