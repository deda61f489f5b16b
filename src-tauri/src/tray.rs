//! The tray icon with the count of what needs the user's attention (also shown in the
//! window title and on the launcher badge), and its menu: open the window, sync now,
//! quit. Its words follow the user's language, as the notifications do.

use ordinavo_client::attention::Attention;
use ordinavo_client::runner::Update;
use ordinavo_client::ClientError;
use tauri::menu::{Menu, MenuEvent, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Emitter, Manager, Wry};

use crate::state::{AppState, SYNC_EVENT};

const TRAY: &str = "main";
const OPEN: &str = "open";
const SYNC: &str = "sync";
const QUIT: &str = "quit";

/// The menu's entries, kept to reword them when the user's language is known.
struct Entries(Vec<MenuItem<Wry>>);

/// The menu's words in the user's language (`ar` or English).
fn words(language: &str) -> [(&'static str, &'static str); 3] {
    if language == "ar" {
        [(OPEN, "فتح Ordinavo"), (SYNC, "مزامنة الآن"), (QUIT, "إنهاء")]
    } else {
        [(OPEN, "Open Ordinavo"), (SYNC, "Sync now"), (QUIT, "Quit")]
    }
}

/// Puts the icon in the tray; false (logged) on a desktop without one, where the
/// window then never hides into it.
pub fn build(app: &AppHandle) -> bool {
    match try_build(app) {
        Ok(()) => true,
        Err(err) => {
            tracing::warn!(error = %err, "no tray icon");
            false
        }
    }
}

fn try_build(app: &AppHandle) -> tauri::Result<()> {
    let (_, language) = attention_of(app);
    let entries = words(&language)
        .iter()
        .map(|(id, text)| MenuItem::with_id(app, *id, text, true, None::<&str>))
        .collect::<tauri::Result<Vec<_>>>()?;
    let items: Vec<&dyn tauri::menu::IsMenuItem<Wry>> = entries.iter().map(|e| e as _).collect();
    let menu = Menu::with_items(app, &items)?;
    let mut tray = TrayIconBuilder::with_id(TRAY).menu(&menu).tooltip(&app.package_info().name).on_menu_event(chosen);
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    app.manage(Entries(entries));
    Ok(())
}

/// True when the icon is in the tray (the window may hide into it).
pub fn present(app: &AppHandle) -> bool {
    app.tray_by_id(TRAY).is_some()
}

fn chosen(app: &AppHandle, event: MenuEvent) {
    match event.id().as_ref() {
        OPEN => crate::focus(app),
        SYNC => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let Some(state) = app.try_state::<AppState>() else { return };
                // Told to the window as a background round is, so it re-reads the cache.
                let update = match state.sync_once(&app).await {
                    Ok(outcome) => Update::Synced { outcome, sent: 0 },
                    Err(err @ ClientError::SessionEnded) => Update::SessionEnded { message: err.to_string() },
                    Err(err) if err.is_transient() => Update::Offline { message: err.to_string() },
                    Err(err) => Update::Failed { code: err.code().to_string(), message: err.to_string() },
                };
                if let Err(err) = app.emit(SYNC_EVENT, &update) {
                    tracing::warn!(error = %err, "sync update not delivered to the window");
                }
            });
        }
        QUIT => app.exit(0),
        _ => {}
    }
}

/// What needs attention for the signed-in user (nothing when signed out), and their language.
fn attention_of(app: &AppHandle) -> (Attention, String) {
    let Some(reading) = app.try_state::<AppState>().and_then(|state| state.reading()) else {
        return (Attention::default(), String::new());
    };
    let attention = reading.reader.attention().unwrap_or_else(|err| {
        tracing::warn!(code = err.code(), "attention count not read");
        Attention::default()
    });
    (attention, reading.reader.language().ok().flatten().unwrap_or_default())
}

/// Shows the current count in the window title, the tray and the launcher badge;
/// called after every sync round and whenever the user has seen something.
pub fn show_attention(app: &AppHandle) {
    let (attention, language) = attention_of(app);
    let title = attention.titled(&app.package_info().name);
    let total = attention.total();
    if let Some(window) = app.get_webview_window("main") {
        if let Err(err) = window.set_title(&title) {
            tracing::warn!(error = %err, "window title not set");
        }
        // Only some platforms have a launcher badge (a Linux desktop without a
        // launcher has none): a failure here means there is nothing to show it on.
        if let Err(err) = window.set_badge_count(i64::try_from(total).ok().filter(|n| *n > 0)) {
            tracing::debug!(error = %err, "no launcher badge");
        }
    }
    if let Some(tray) = app.tray_by_id(TRAY) {
        // Tooltips show on Windows and macOS, titles beside the icon on macOS and Linux.
        let _ = tray.set_tooltip(Some(&title));
        let _ = tray.set_title((total > 0).then(|| total.to_string()));
    }
    if let Some(entries) = app.try_state::<Entries>() {
        for (entry, (_, text)) in entries.0.iter().zip(words(&language)) {
            let _ = entry.set_text(text);
        }
    }
}
