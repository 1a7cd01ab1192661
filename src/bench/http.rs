//! A minimal HTTP/1.1 load client over keep-alive connections: enough to drive our own server
//! from the benchmark without measuring a heavyweight client library instead.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

pub struct Conn {
    stream: BufReader<TcpStream>,
    host: String,
}

pub struct Resp {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Conn {
    pub async fn open(addr: &str) -> std::io::Result<Conn> {
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(Conn { stream: BufReader::new(s), host: addr.to_string() })
    }

    pub async fn request(&mut self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> std::io::Result<Resp> {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n", self.host, body.len());
        for (k, v) in headers {
            req.push_str(k);
            req.push_str(": ");
            req.push_str(v);
            req.push_str("\r\n");
        }
        req.push_str("\r\n");
        let s = self.stream.get_mut();
        s.write_all(req.as_bytes()).await?;
        s.write_all(body).await?;
        // Status line and headers.
        let mut head = Vec::with_capacity(512);
        loop {
            let b = self.stream.read_u8().await?;
            head.push(b);
            if head.ends_with(b"\r\n\r\n") {
                break;
            }
            if head.len() > 64 * 1024 {
                return Err(std::io::Error::other("header too long"));
            }
        }
        let text = String::from_utf8_lossy(&head);
        let status: u16 = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let len: usize = text
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim().eq_ignore_ascii_case("content-length").then(|| v.trim().parse().ok()).flatten()
            })
            .unwrap_or(0);
        let mut body = vec![0u8; len];
        self.stream.read_exact(&mut body).await?;
        Ok(Resp { status, body })
    }
}

/// A request: method, path, headers, body.
pub type Request = (String, String, Vec<(String, String)>, Vec<u8>);

/// Latencies and counts of one phase.
#[derive(Default)]
pub struct Stats {
    pub ok: u64,
    pub failed: u64,
    pub latencies_us: Vec<u64>,
    pub elapsed: Duration,
}

impl Stats {
    pub fn merge(&mut self, o: Stats) {
        self.ok += o.ok;
        self.failed += o.failed;
        self.latencies_us.extend(o.latencies_us);
    }
    /// Send one request on `conn` and count it, with its latency from `since` when it succeeds.
    /// A broken connection is opened again; false when the server cannot be reached any more.
    async fn exchange(&mut self, conn: &mut Conn, addr: &str, req: Request, since: Instant) -> bool {
        let (method, path, headers, body) = req;
        let hs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        match conn.request(&method, &path, &hs, &body).await {
            Ok(r) if (200..300).contains(&r.status) => {
                self.ok += 1;
                self.latencies_us.push(Instant::now().saturating_duration_since(since).as_micros() as u64);
            }
            Ok(_) => self.failed += 1,
            Err(_) => {
                self.failed += 1;
                match Conn::open(addr).await {
                    Ok(c) => *conn = c,
                    Err(_) => return false,
                }
            }
        }
        true
    }
    pub fn per_sec(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
    pub fn pct_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let mut v = self.latencies_us.clone();
        v.sort_unstable();
        let i = ((v.len() as f64 - 1.0) * p).round() as usize;
        v[i] as f64 / 1000.0
    }
}

/// Run `workers` concurrent loops for `duration`, each on its own connection, each calling
/// `make(worker, i)` for the next request.
pub async fn drive<F>(addr: &str, workers: usize, duration: Duration, make: F) -> Stats
where
    F: Fn(usize, u64) -> Request + Send + Sync + Clone + 'static,
{
    let start = Instant::now();
    let mut handles = Vec::new();
    for w in 0..workers {
        let addr = addr.to_string();
        let make = make.clone();
        handles.push(tokio::spawn(async move {
            let mut st = Stats::default();
            let mut conn = match Conn::open(&addr).await {
                Ok(c) => c,
                Err(_) => return st,
            };
            let mut i = 0u64;
            while start.elapsed() < duration {
                let req = make(w, i);
                i += 1;
                if !st.exchange(&mut conn, &addr, req, Instant::now()).await {
                    break;
                }
            }
            st
        }));
    }
    gather(handles, start).await
}

/// Offer a fixed load: `rate` requests a second spread over `workers` connections, each request
/// sent at its scheduled time (or at once if the previous one ran late). Latency is measured
/// from the scheduled time, so waiting behind a slow answer counts (no coordinated omission).
pub async fn drive_rate<F>(addr: &str, workers: usize, duration: Duration, rate: f64, make: F) -> Stats
where
    F: Fn(usize, u64) -> Request + Send + Sync + Clone + 'static,
{
    let start = Instant::now();
    let interval = Duration::from_secs_f64(workers as f64 / rate.max(1.0));
    let mut handles = Vec::new();
    for w in 0..workers {
        let addr = addr.to_string();
        let make = make.clone();
        handles.push(tokio::spawn(async move {
            let mut st = Stats::default();
            let mut conn = match Conn::open(&addr).await {
                Ok(c) => c,
                Err(_) => return st,
            };
            // Stagger the workers over one interval.
            let offset = interval.mul_f64(w as f64 / workers as f64);
            let mut i = 0u64;
            loop {
                let due = offset + interval.mul_f64(i as f64);
                if due >= duration {
                    break;
                }
                let now = start.elapsed();
                if now < due {
                    tokio::time::sleep(due - now).await;
                }
                let req = make(w, i);
                i += 1;
                // Latency counts from the scheduled time: a late start is part of the wait.
                if !st.exchange(&mut conn, &addr, req, start + due).await {
                    break;
                }
            }
            st
        }));
    }
    gather(handles, start).await
}

/// The workers' figures, merged, with the phase's duration.
async fn gather(handles: Vec<tokio::task::JoinHandle<Stats>>, start: Instant) -> Stats {
    let mut all = Stats::default();
    for h in handles {
        if let Ok(s) = h.await {
            all.merge(s);
        }
    }
    all.elapsed = start.elapsed();
    all
}
