//! Shows notices as native notifications through the desktop's notification service.

use std::sync::Arc;

use crate::error::{ClientError, ClientResult};
use crate::notices::Notice;

/// Where notices go; the desktop in the app, and the same in tests (against a real daemon).
pub trait Notifier: Send + Sync {
    fn show(&self, notice: &Notice) -> ClientResult<()>;
}

/// Native notifications via notify-rust (D-Bus on Linux).
#[derive(Debug, Default, Clone, Copy)]
pub struct DesktopNotifier;

impl Notifier for DesktopNotifier {
    fn show(&self, notice: &Notice) -> ClientResult<()> {
        notification(notice).show().map(|_| ()).map_err(failed)
    }
}

/// Native notifications that call `on_open` when the user clicks one, where the
/// platform reports clicks (the freedesktop notification service on Linux and BSD).
#[derive(Clone)]
pub struct ClickableNotifier {
    on_open: Arc<dyn Fn(&Notice) + Send + Sync>,
}

impl ClickableNotifier {
    pub fn new(on_open: impl Fn(&Notice) + Send + Sync + 'static) -> ClickableNotifier {
        ClickableNotifier { on_open: Arc::new(on_open) }
    }
}

impl Notifier for ClickableNotifier {
    #[cfg(all(unix, not(target_os = "macos")))]
    fn show(&self, notice: &Notice) -> ClientResult<()> {
        let (on_open, notice) = (self.on_open.clone(), notice.clone());
        let (shown, outcome) = std::sync::mpsc::channel();
        // The handle stays on the thread that showed it, waiting until the
        // notification is clicked or closes.
        std::thread::spawn(move || match notification(&notice).action("default", "Open").show() {
            Ok(handle) => {
                let _ = shown.send(Ok(()));
                handle.wait_for_action(|action| {
                    if action == "default" {
                        on_open(&notice);
                    }
                });
            }
            Err(err) => {
                let _ = shown.send(Err(failed(err)));
            }
        });
        outcome.recv().unwrap_or_else(|_| Err(ClientError::Notify("the notification was not shown".into())))
    }

    #[cfg(not(all(unix, not(target_os = "macos"))))]
    fn show(&self, notice: &Notice) -> ClientResult<()> {
        DesktopNotifier.show(notice)
    }
}

fn notification(notice: &Notice) -> notify_rust::Notification {
    let mut notification = notify_rust::Notification::new();
    notification.appname("Ordinavo").summary(&notice.title).body(&notice.body);
    notification
}

fn failed(err: notify_rust::error::Error) -> ClientError {
    ClientError::Notify(err.to_string())
}
