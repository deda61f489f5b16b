//! Desktop shell of the Ordinavo Customer Portal, built on Tauri v2.

/// Builds the Tauri app and runs it until its last window closes.
///
/// # Panics
///
/// Panics if the Tauri runtime cannot start, for example without a display.
pub fn run() {
    tauri::Builder::default().run(tauri::generate_context!()).expect("failed to run the Ordinavo desktop app");
}
