//! Shows notices as native notifications through the desktop's notification service.

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
        notify_rust::Notification::new()
            .appname("Ordinavo")
            .summary(&notice.title)
            .body(&notice.body)
            .show()
            .map(|_| ())
            .map_err(|err| ClientError::Notify(err.to_string()))
    }
}
