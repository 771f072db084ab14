//! A relay process, devices (vaults) in temporary folders, and helpers to compare them.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tandem_core::sync::{self, SyncReport};
use tandem_core::{NewVault, Passphrase, SharedVault, Vault};
use tempfile::TempDir;

pub const PASS: &str = "correct horse battery staple";

pub fn pass() -> Passphrase {
    Passphrase::new(PASS)
}

/// The relay binary built next to this test.
fn relay_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let bin = dir.join("tandem-relay");
    assert!(
        bin.exists(),
        "build the relay first: cargo build -p tandem-relay ({})",
        bin.display()
    );
    bin
}

/// The team-creation token the relays of these tests ask for (in their environment, as an
/// operator's service would set it), and founders present.
pub const CREATION_TOKEN: &str = "end-to-end relay creation token";

/// A relay process on loopback with its data folder and captured log.
pub struct RelayProcess {
    pub data: TempDir,
    pub addr: SocketAddr,
    child: Option<Child>,
    pub log: Arc<Mutex<Vec<String>>>,
    args: Vec<String>,
}

impl RelayProcess {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// Starts with extra flags (limits). Teams need [`CREATION_TOKEN`] unless the flags
    /// say otherwise (`--open-team-creation`).
    pub fn start_with(args: &[&str]) -> Self {
        Self::start_on(tempfile::tempdir().unwrap(), args)
    }

    /// Starts on a data folder the test filled (a relay's files from an older release).
    pub fn start_on(data: TempDir, args: &[&str]) -> Self {
        let mut r = Self {
            data,
            addr: "127.0.0.1:0".parse().unwrap(),
            child: None,
            log: Default::default(),
            args: args.iter().map(|a| a.to_string()).collect(),
        };
        r.spawn(0);
        r
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Starts the process on `port` (0: any) and waits until it answers.
    fn spawn(&mut self, port: u16) {
        let mut command = Command::new(relay_binary());
        command
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data")
            .arg(self.data.path())
            .args(&self.args);
        // A relay is open or asks for a token, never both (it refuses to start).
        if self.args.iter().any(|a| a == "--open-team-creation") {
            command.env_remove("TANDEM_RELAY_TEAM_CREATION_TOKEN");
        } else {
            command.env("TANDEM_RELAY_TEAM_CREATION_TOKEN", CREATION_TOKEN);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start relay");
        let (tx, rx) = std::sync::mpsc::channel::<SocketAddr>();
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let (tx, log) = (tx.clone(), self.log.clone());
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if let Some(addr) = find_addr(&line) {
                        let _ = tx.send(addr);
                    }
                    log.lock().unwrap().push(line);
                }
            });
        }
        let addr = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the relay said where it listens");
        self.addr = addr;
        self.child = Some(child);
        // The line is printed once the socket is bound; make sure it answers HTTP.
        let deadline = Instant::now() + Duration::from_secs(10);
        while sync::relay_info(&self.url()).is_err() {
            assert!(Instant::now() < deadline, "relay does not answer");
            std::thread::yield_now();
        }
    }

    /// Kills the process (SIGKILL), as a crash or a pulled plug would.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port with the same data.
    pub fn restart(&mut self) {
        self.kill();
        let port = self.addr.port();
        self.spawn(port);
    }

    pub fn log_text(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

fn find_addr(line: &str) -> Option<SocketAddr> {
    let i = line.find("127.0.0.1:")?;
    let rest = &line[i + "127.0.0.1:".len()..];
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let port: u16 = digits.parse().ok()?;
    (port != 0).then(|| SocketAddr::from(([127, 0, 0, 1], port)))
}

/// A device: its open vault, and the temporary folder that holds it (removed on drop).
pub struct Device {
    _dir: TempDir,
    pub vault: SharedVault,
}

impl Device {
    /// A device from a vault opened (or joined) by the test itself in `dir`.
    pub fn new(dir: TempDir, vault: SharedVault) -> Self {
        Self { _dir: dir, vault }
    }

    /// A device that puts a new team on the relay.
    pub fn founder(relay_url: &str, name: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::create(
            dir.path(),
            &pass(),
            &NewVault {
                member_name: name.into(),
                team_name: "Solo".into(),
            },
        )
        .unwrap();
        let vault = SharedVault::new(vault);
        sync::create_team_on_relay(&vault, relay_url, "Équipe Centre-Sud", Some(CREATION_TOKEN))
            .unwrap();
        Self { _dir: dir, vault }
    }

    /// A device that puts a new team on the relay as releases before the team record did
    /// (no record; membership as the relay lists it), as every team in use then was.
    pub fn founder_without_record(relay_url: &str, name: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::create(
            dir.path(),
            &pass(),
            &NewVault {
                member_name: name.into(),
                team_name: "Solo".into(),
            },
        )
        .unwrap();
        let vault = SharedVault::new(vault);
        sync::test_hook_create_team_without_record(
            &vault,
            relay_url,
            "Équipe Nord",
            Some(CREATION_TOKEN),
        )
        .unwrap();
        Self { _dir: dir, vault }
    }

    /// A new device joining with an invite made by `inviter`.
    pub fn join(inviter: &Device, name: &str) -> (Self, Result<SyncReport, sync::SyncError>) {
        let code = sync::create_invite(&inviter.vault, 3600).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault");
        let (vault, first) =
            sync::join_team(&path, &pass(), name, &code.to_string(), &|_| {}).unwrap();
        (Self { _dir: dir, vault }, first)
    }

    pub fn sync(&self) -> Result<SyncReport, sync::SyncError> {
        sync::sync_once(&self.vault, 0, &|_| {})
    }

    /// Starts a record for a person known only by `name`.
    pub fn add_person(&self, name: &str) -> tandem_model::PersonId {
        self.v()
            .add_person(&tandem_model::NewPerson {
                name: name.into(),
                ..Default::default()
            })
            .unwrap()
    }

    pub fn v(&self) -> std::sync::MutexGuard<'_, Vault> {
        self.vault.lock()
    }
}

/// Everything a device holds, comparable: each document's heads, every record, the list.
pub type DeviceState = (
    Vec<(String, Vec<String>)>,
    Vec<tandem_model::PersonRecord>,
    Vec<tandem_model::PersonSummary>,
);

/// The [`DeviceState`] of one device.
pub fn state(d: &Device) -> DeviceState {
    let mut v = d.v();
    let docs = v.documents().unwrap();
    let mut heads = Vec::new();
    let mut records = Vec::new();
    for (id, kind) in docs {
        heads.push((id.clone(), v.document_heads(&id).unwrap()));
        if kind == tandem_core::DocKind::Person {
            records.push(v.person(&tandem_model::PersonId(id)).unwrap());
        }
    }
    heads.sort();
    (heads, records, v.list_people().unwrap())
}

/// Syncs every device until none learns anything more (at most a few rounds).
pub fn settle(devices: &[&Device]) {
    for _ in 0..4 {
        let mut moved = 0;
        for d in devices {
            let r = d.sync().unwrap();
            moved += r.pushed + r.documents_updated;
        }
        if moved == 0 {
            return;
        }
    }
}

/// Every file under a folder, with its bytes.
pub fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(b) = std::fs::read(&p) {
                out.push((p, b));
            }
        }
    }
    out
}

pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Listens on a loopback port and, for each connection, connects to `target` and hands both
/// streams to `handle` on a thread of their own. Returns the port's address.
fn spawn_proxy(
    target: SocketAddr,
    handle: impl Fn(TcpStream, TcpStream) + Send + Sync + 'static,
) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = Arc::new(handle);
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let handle = handle.clone();
            std::thread::spawn(move || {
                let Ok(server) = TcpStream::connect(target) else {
                    return;
                };
                handle(client, server);
            });
        }
    });
    addr
}

/// A TCP proxy in front of the relay that cuts connections mid-transfer: while `cutting` is
/// set, each connection is closed after a random number of bytes.
pub struct CuttingProxy {
    pub addr: SocketAddr,
    pub cutting: Arc<std::sync::atomic::AtomicBool>,
}

impl CuttingProxy {
    pub fn start(target: SocketAddr) -> Self {
        let cutting = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let flag = cutting.clone();
        let addr = spawn_proxy(target, move |client, server| {
            let budget = if flag.load(std::sync::atomic::Ordering::SeqCst) {
                Some(rand::Rng::gen_range(
                    &mut rand::thread_rng(),
                    200..60_000usize,
                ))
            } else {
                None
            };
            pipe_both(client, server, budget);
        });
        Self { addr, cutting }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

fn pipe_both(a: TcpStream, b: TcpStream, budget: Option<usize>) {
    let (a2, b2) = (a.try_clone().unwrap(), b.try_clone().unwrap());
    let budget = Arc::new(Mutex::new(budget));
    let bud = budget.clone();
    let t = std::thread::spawn(move || copy_limited(a2, b2, &bud));
    copy_limited(b, a, &budget);
    let _ = t.join();
}

fn copy_limited(from: TcpStream, to: TcpStream, budget: &Mutex<Option<usize>>) {
    copy_while(from, to, |chunk| match budget.lock().unwrap().as_mut() {
        None => chunk.len(),
        Some(left) => {
            let k = chunk.len().min(*left);
            *left -= k;
            k
        }
    });
}

/// A TCP proxy in front of the relay that cuts the connection of any request whose bytes
/// `blocks` recognises, while `blocking` is set (a network lost at the worst moment).
pub struct BlockingProxy {
    pub addr: SocketAddr,
    pub blocking: Arc<std::sync::atomic::AtomicBool>,
}

impl BlockingProxy {
    pub fn start(target: SocketAddr, blocking: bool, blocks: fn(&[u8]) -> bool) -> Self {
        let blocking = Arc::new(std::sync::atomic::AtomicBool::new(blocking));
        let flag = blocking.clone();
        let addr = spawn_proxy(target, move |client, server| {
            let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            std::thread::spawn(move || copy_while(s2, c2, |chunk| chunk.len()));
            copy_while(client, server, |chunk| {
                if blocks(chunk) && flag.load(std::sync::atomic::Ordering::SeqCst) {
                    0
                } else {
                    chunk.len()
                }
            });
        });
        Self { addr, blocking }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Copies `from` to `to`, `allow` saying how many bytes of each chunk go through, until
/// either end closes or `allow` holds some back; then closes both.
pub fn copy_while(mut from: TcpStream, mut to: TcpStream, mut allow: impl FnMut(&[u8]) -> usize) {
    use std::io::{Read, Write};
    let mut buf = [0u8; 65536];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let allowed = allow(&buf[..n]);
        if to.write_all(&buf[..allowed]).is_err() || allowed < n {
            break;
        }
    }
    let _ = from.shutdown(std::net::Shutdown::Both);
    let _ = to.shutdown(std::net::Shutdown::Both);
}
