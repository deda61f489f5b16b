//! Declares the app's own commands so that capabilities must allow each one by name.

const COMMANDS: &[&str] = &[
    "sign_in",
    "accept_invitation",
    "take_invitation",
    "sign_out",
    "sign_out_everywhere",
    "change_password",
    "access_log",
    "colleagues",
    "invite_colleague",
    "colleague_action",
    "overview",
    "read_window",
    "read_record",
    "submit_request",
    "discard_request",
    "cancel_request",
    "send_message",
    "discard_message",
    "attach_file",
    "discard_file",
    "download_attachment",
    "open_attachment",
    "show_attachment_in_folder",
    "sync_now",
    "mark_seen",
    "get_settings",
    "set_settings",
    "check_updates",
    "install_update",
    "update_channels",
];

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)).expect("tauri build step");
}
