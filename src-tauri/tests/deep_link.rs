//! The real desktop app under Xvfb: a second launch with an `ordinavo://invite/…`
//! link hands the link to the running instance and exits. Run through
//! scripts/desktop-session.sh (single-instance uses the session bus).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

struct App(Child);

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn launch(xdg: &std::path::Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ordinavo-desktop"));
    command.args(args).env("XDG_DATA_HOME", xdg.join("data")).env("XDG_CONFIG_HOME", xdg.join("config"));
    command.env("ORDINAVO_LOG", "info").env("NO_COLOR", "1");
    command
}

#[test]
fn a_second_launch_hands_its_invitation_link_to_the_running_app() {
    assert_eq!(
        std::env::var("ORDINAVO_DESKTOP_SESSION").as_deref(),
        Ok("ready"),
        "needs a display and a D-Bus session: run through scripts/desktop-session.sh (as `make test` does)"
    );
    let xdg = tempfile::tempdir().unwrap();
    let mut first = App(launch(xdg.path(), &[]).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap());
    let (lines, received) = mpsc::channel();
    let stderr = BufReader::new(first.0.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let wait_for = |needle: &str| loop {
        let line = received.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| panic!("no {needle:?} logged"));
        if line.contains(needle) {
            return;
        }
    };
    wait_for("desktop app started");

    let second = launch(xdg.path(), &["ordinavo://invite/opi_Abc123"]).output().unwrap();
    assert!(second.status.success(), "the second instance exits: {}", String::from_utf8_lossy(&second.stderr));
    wait_for("invitation link received");
    assert!(first.0.try_wait().unwrap().is_none(), "the first instance keeps running");
}
