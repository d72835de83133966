//! Throwaway Postgres and Redis servers for tests that stop and start them (fault tests), so the
//! machine's shared servers are never touched. Postgres refuses to run as root, so as root the
//! commands run as the `postgres` user.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// The directory holding `initdb` and `pg_ctl`: `MVP_PG_BIN`, else the newest
/// `/usr/lib/postgresql/*/bin`, else `pg_config --bindir`.
pub fn pg_bin_dir() -> anyhow::Result<PathBuf> {
    if let Ok(dir) = std::env::var("MVP_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    let out = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .context("no PostgreSQL server binaries found (install postgresql or set MVP_PG_BIN)")?;
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

fn run_as_postgres(program: &Path, args: &[&str], root: bool) -> anyhow::Result<()> {
    let output = if root {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
    } else {
        Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
    }
    .with_context(|| format!("cannot run {}", program.display()))?;
    if !output.status.success() {
        bail!(
            "{} failed: {}",
            program.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// A private Postgres cluster on a free port, deleted on drop.
pub struct TempPostgres {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    root: bool,
}

impl std::fmt::Debug for TempPostgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TempPostgres")
            .field("port", &self.port)
            .finish()
    }
}

impl TempPostgres {
    pub fn start() -> anyhow::Result<Self> {
        let bin = pg_bin_dir()?;
        let root = is_root();
        let dir = crate::temp_dir("mvp-pg");
        if root {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()?;
            anyhow::ensure!(status.success(), "cannot chown {}", dir.display());
        }
        let data = dir.join("data");
        run_as_postgres(
            &bin.join("initdb"),
            &[
                "-D",
                &data.to_string_lossy(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
            root,
        )?;
        let pg = Self {
            dir,
            bin,
            port: crate::free_port(),
            root,
        };
        pg.resume()?;
        Ok(pg)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A URL for database `name` on this cluster.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Starts (again) on the same port and data directory.
    pub fn resume(&self) -> anyhow::Result<()> {
        let data = self.dir.join("data");
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
            self.port,
            self.dir.display()
        );
        run_as_postgres(
            &self.bin.join("pg_ctl"),
            &[
                "-D",
                &data.to_string_lossy(),
                "-l",
                &self.dir.join("log").to_string_lossy(),
                "-w",
                "-o",
                &opts,
                "start",
            ],
            self.root,
        )
    }

    /// Stops the server at once (connections are cut), keeping the data.
    pub fn stop(&self) -> anyhow::Result<()> {
        run_as_postgres(
            &self.bin.join("pg_ctl"),
            &[
                "-D",
                &self.dir.join("data").to_string_lossy(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
            self.root,
        )
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        let _ = self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A private Redis on a free port, killed on drop.
pub struct TempRedis {
    port: u16,
    child: Option<Child>,
}

impl std::fmt::Debug for TempRedis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TempRedis")
            .field("port", &self.port)
            .finish()
    }
}

impl TempRedis {
    pub fn start() -> anyhow::Result<Self> {
        let mut redis = Self {
            port: crate::free_port(),
            child: None,
        };
        redis.resume()?;
        Ok(redis)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn resume(&mut self) -> anyhow::Result<()> {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start redis-server (install redis-server)")?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        bail!("redis-server did not start on port {}", self.port)
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for TempRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A private S3-compatible server (moto's `moto_server`, installed by `make test` into
/// `.data/venv`) on a free port with one empty bucket, killed on drop. It speaks the S3 REST protocol
/// (SigV4, multipart uploads, ranged GETs), so the app's real `object_store` S3 client talks to it.
pub struct TempS3 {
    port: u16,
    child: Child,
    pub bucket: String,
}

impl std::fmt::Debug for TempS3 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TempS3").field("port", &self.port).finish()
    }
}

/// `moto_server`: `MVP_TEST_MOTO_SERVER`, else the project's venv, else `PATH`.
fn moto_server() -> PathBuf {
    if let Some(path) = std::env::var_os("MVP_TEST_MOTO_SERVER") {
        return PathBuf::from(path);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.data/venv/bin/moto_server");
    if venv.exists() {
        return venv;
    }
    PathBuf::from("moto_server")
}

impl TempS3 {
    pub async fn start() -> anyhow::Result<Self> {
        let port = crate::free_port();
        let child = Command::new(moto_server())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start moto_server (`make test` installs it into .data/venv)")?;
        let s3 = Self {
            port,
            child,
            bucket: "mvp-documents".to_owned(),
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            // An unsigned bucket creation is accepted by moto (it checks signatures only when asked).
            match client
                .put(format!("{}/{}", s3.endpoint(), s3.bucket))
                .send()
                .await
            {
                Ok(response) if response.status().is_success() => return Ok(s3),
                Ok(response) => bail!("moto_server refused the bucket: {}", response.status()),
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(err) => bail!("moto_server did not start on port {port}: {err}"),
            }
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The settings that point the app at this server.
    pub fn config_vars(&self) -> Vec<(&'static str, String)> {
        vec![
            ("MVP_STORAGE__BACKEND", "s3".to_owned()),
            ("MVP_STORAGE__S3__BUCKET", self.bucket.clone()),
            ("MVP_STORAGE__S3__ENDPOINT", self.endpoint()),
            ("MVP_STORAGE__S3__ALLOW_HTTP", "true".to_owned()),
            ("MVP_STORAGE__S3__REGION", "us-east-1".to_owned()),
            ("MVP_STORAGE__S3__ACCESS_KEY_ID", "testing".to_owned()),
            ("MVP_STORAGE__S3__SECRET_ACCESS_KEY", "testing".to_owned()),
        ]
    }

    /// The keys of every object in the bucket (ListObjectsV2, unsigned).
    pub async fn keys(&self) -> anyhow::Result<Vec<String>> {
        let body = reqwest::get(format!("{}/{}?list-type=2", self.endpoint(), self.bucket))
            .await?
            .text()
            .await?;
        Ok(body
            .split("<Key>")
            .skip(1)
            .filter_map(|part| part.split_once("</Key>").map(|(key, _)| key.to_owned()))
            .collect())
    }
}

impl Drop for TempS3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
