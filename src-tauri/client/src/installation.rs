//! The installation's stable random id, which the update server hashes into a
//! rollout bucket: kept in the app data folder, so it outlives sign-outs and updates
//! (raising a rollout only adds installations), and is new on another computer.

use std::path::Path;

use crate::error::ClientResult;

const FILE: &str = "installation-id";

/// The id kept under `app_dir`, made on first use.
pub fn id(app_dir: &Path) -> ClientResult<String> {
    let path = app_dir.join(FILE);
    if let Ok(stored) = std::fs::read_to_string(&path) {
        let stored = stored.trim();
        if valid(stored) {
            return Ok(stored.to_string());
        }
    }
    let id = uuid::Uuid::now_v7().simple().to_string();
    std::fs::create_dir_all(app_dir)?;
    // Written aside and renamed, so a crash never leaves half an id.
    let partial = app_dir.join(format!("{FILE}.partial"));
    std::fs::write(&partial, &id)?;
    std::fs::rename(&partial, &path)?;
    Ok(id)
}

fn valid(id: &str) -> bool {
    id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::id;

    #[test]
    fn the_id_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = id(&dir.path().join("app")).unwrap();
        assert_eq!(first.len(), 32);
        assert_eq!(id(&dir.path().join("app")).unwrap(), first, "the same id on every start");
        let other = tempfile::tempdir().unwrap();
        assert_ne!(id(other.path()).unwrap(), first, "another installation, another id");
    }

    #[test]
    fn a_damaged_id_file_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("installation-id"), "not an id\n").unwrap();
        let made = id(dir.path()).unwrap();
        assert_ne!(made, "not an id");
        assert_eq!(std::fs::read_to_string(dir.path().join("installation-id")).unwrap(), made);
    }
}
