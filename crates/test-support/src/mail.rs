//! A real SMTP server for the tests: Python's `aiosmtpd` (`smtp_sink.py`, from the venv `make test`
//! makes), writing each accepted message as a JSON line that the test reads back. It can be stopped
//! and started again on the same port (a mail server that was down).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

/// The venv's Python (`MVP_TEST_PYTHON`, else `.data/venv/bin/python`, else `python3`), which has
/// aiosmtpd and icalendar (crates/test-support/requirements.txt).
pub fn python() -> PathBuf {
    if let Some(path) = std::env::var_os("MVP_TEST_PYTHON") {
        return PathBuf::from(path);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.data/venv/bin/python");
    if venv.exists() {
        return venv;
    }
    PathBuf::from("python3")
}

/// The sink script's path.
pub fn sink_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("smtp_sink.py")
}

/// One message the sink accepted.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Received {
    pub rcpt_tos: Vec<String>,
    pub to: String,
    pub subject: String,
    pub message_id: String,
    pub text: Option<String>,
    pub html: Option<String>,
}

pub struct SmtpSink {
    pub port: u16,
    file: PathBuf,
    child: Option<Child>,
}

impl std::fmt::Debug for SmtpSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSink")
            .field("port", &self.port)
            .finish()
    }
}

impl SmtpSink {
    /// A sink on a free port, not started yet (its URL can be configured while it is down).
    pub fn reserve() -> Self {
        let dir = crate::temp_dir("mvp-smtp");
        Self {
            port: crate::free_port(),
            file: dir.join("messages.jsonl"),
            child: None,
        }
    }

    /// A running sink.
    pub async fn start() -> anyhow::Result<Self> {
        let mut sink = Self::reserve();
        sink.up().await?;
        Ok(sink)
    }

    /// `smtp://127.0.0.1:<port>` (plain: a local relay).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Starts the server and waits until it accepts connections.
    pub async fn up(&mut self) -> anyhow::Result<()> {
        if self.child.is_some() {
            return Ok(());
        }
        let child = Command::new(python())
            .arg(sink_script())
            .arg(self.port.to_string())
            .arg(&self.file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context(
                "cannot start the SMTP sink (`make test` installs aiosmtpd into .data/venv)",
            )?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("the SMTP sink did not start on port {}", self.port);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops the server (connections are refused until [`up`](Self::up)).
    pub fn down(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Every message accepted so far, in order.
    pub fn messages(&self) -> Vec<Received> {
        std::fs::read_to_string(&self.file)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.down();
    }
}
