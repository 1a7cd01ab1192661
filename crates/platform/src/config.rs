//! Configuration: a typed struct read from an optional TOML file, then overridden by
//! environment variables (`FAZHI_<SECTION>_<KEY>`, and `DATABASE_URL`). Unknown keys and bad
//! values stop start-up with a message naming the key. The database URL may hold a password,
//! so `Debug` never prints it.

use std::fmt;
use std::path::Path;

use anyhow::{Context, bail};
use serde::Deserialize;

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[derive(Default)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub files: FilesConfig,
    pub jobs: JobsConfig,
    pub sms: SmsConfig,
    pub metrics: MetricsConfig,
}

/// The SMS gateway the outbox is delivered to (`notify::gateway`).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmsConfig {
    /// `http://host:port/path` of the gateway; empty: messages wait in the outbox (and, in the
    /// demo, show on the demo phone).
    pub gateway_url: String,
    /// Sent as `Authorization: Bearer …` when set.
    pub gateway_token: String,
    /// Attempts before a message goes to the dead-letter list.
    pub max_attempts: i64,
    /// The first retry waits this long; each next one twice as long (at most an hour).
    pub retry_secs: i64,
    /// How long to wait for the gateway's answer.
    pub timeout_secs: u64,
}

impl Default for SmsConfig {
    fn default() -> Self {
        SmsConfig { gateway_url: String::new(), gateway_token: String::new(), max_attempts: 8, retry_secs: 30, timeout_secs: 10 }
    }
}

impl fmt::Debug for SmsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmsConfig")
            .field("gateway_url", &self.gateway_url)
            .field("gateway_token", &if self.gateway_token.is_empty() { "" } else { "***" })
            .field("max_attempts", &self.max_attempts)
            .field("retry_secs", &self.retry_secs)
            .field("timeout_secs", &self.timeout_secs)
            .finish()
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    pub bind: String,
    pub public_url: String,
    pub demo: bool,
    pub max_upload_mb: u64,
    /// Proxies whose `X-Forwarded-For` names the client (addresses or ranges, `10.0.0.0/8`).
    pub trusted_proxies: Vec<String>,
}

impl ServerConfig {
    /// The trusted proxies, parsed (`check` has refused any that do not parse).
    pub fn trusted_proxies(&self) -> Vec<crate::auth::client::Cidr> {
        self.trusted_proxies.iter().filter_map(|p| crate::auth::client::Cidr::parse(p)).collect()
    }
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    pub url: String,
    pub max_connections: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FilesConfig {
    pub dir: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobsConfig {
    pub enabled: bool,
    pub interval_secs: u64,
}

/// Who may read `/metrics`: clients on this machine, and whoever holds the token.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    pub allow_loopback: bool,
    /// `Authorization: Bearer <token>`; empty: no token opens it.
    pub token: String,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig { allow_loopback: true, token: String::new() }
    }
}

impl fmt::Debug for MetricsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let token = if self.token.is_empty() { "" } else { "***" };
        f.debug_struct("MetricsConfig").field("allow_loopback", &self.allow_loopback).field("token", &token).finish()
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig { bind: "127.0.0.1:8080".into(), public_url: "http://127.0.0.1:8080".into(), demo: false, max_upload_mb: 20, trusted_proxies: Vec::new() }
    }
}
impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig { url: "sqlite://data/fazhi.db".into(), max_connections: 8 }
    }
}
impl Default for FilesConfig {
    fn default() -> Self {
        FilesConfig { dir: "data/files".into() }
    }
}
impl Default for JobsConfig {
    fn default() -> Self {
        JobsConfig { enabled: true, interval_secs: 60 }
    }
}

/// The database URL with any password replaced by `***`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseConfig").field("url", &redact_url(&self.url)).field("max_connections", &self.max_connections).finish()
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("server", &self.server)
            .field("database", &self.database)
            .field("files", &self.files)
            .field("jobs", &self.jobs)
            .field("sms", &self.sms)
            .field("metrics", &self.metrics)
            .finish()
    }
}

impl Config {
    /// Read the file (if given), then apply the environment.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
        let mut cfg = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).with_context(|| format!("无法读取配置文件 {}", p.display()))?;
                toml::from_str::<Config>(&text).map_err(|e| anyhow::anyhow!("配置文件 {} 有误：{}", p.display(), e.message().trim()))?
            }
            None => Config::default(),
        };
        cfg.apply_env(|k| std::env::var(k).ok())?;
        cfg.check()?;
        Ok(cfg)
    }

    /// Apply overrides from an environment (a function, so that tests need not touch the real one).
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        fn parse<T: std::str::FromStr>(key: &str, v: &str) -> anyhow::Result<T> {
            v.trim().parse::<T>().map_err(|_| anyhow::anyhow!("环境变量 {key} 的值“{v}”无效"))
        }
        fn boolean(key: &str, v: &str) -> anyhow::Result<bool> {
            match v.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => Ok(true),
                "0" | "false" | "no" | "off" => Ok(false),
                _ => bail!("环境变量 {key} 的值“{v}”无效（应为 true 或 false）"),
            }
        }
        if let Some(v) = get("DATABASE_URL") {
            self.database.url = v;
        }
        if let Some(v) = get("FAZHI_DATABASE_URL") {
            self.database.url = v;
        }
        if let Some(v) = get("FAZHI_DATABASE_MAX_CONNECTIONS") {
            self.database.max_connections = parse("FAZHI_DATABASE_MAX_CONNECTIONS", &v)?;
        }
        if let Some(v) = get("FAZHI_SERVER_BIND") {
            self.server.bind = v;
        }
        if let Some(v) = get("FAZHI_SERVER_PUBLIC_URL") {
            self.server.public_url = v;
        }
        if let Some(v) = get("FAZHI_SERVER_DEMO") {
            self.server.demo = boolean("FAZHI_SERVER_DEMO", &v)?;
        }
        if let Some(v) = get("FAZHI_SERVER_MAX_UPLOAD_MB") {
            self.server.max_upload_mb = parse("FAZHI_SERVER_MAX_UPLOAD_MB", &v)?;
        }
        if let Some(v) = get("FAZHI_SERVER_TRUSTED_PROXIES") {
            self.server.trusted_proxies = v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
        }
        if let Some(v) = get("FAZHI_FILES_DIR") {
            self.files.dir = v;
        }
        if let Some(v) = get("FAZHI_JOBS_ENABLED") {
            self.jobs.enabled = boolean("FAZHI_JOBS_ENABLED", &v)?;
        }
        if let Some(v) = get("FAZHI_JOBS_INTERVAL_SECS") {
            self.jobs.interval_secs = parse("FAZHI_JOBS_INTERVAL_SECS", &v)?;
        }
        if let Some(v) = get("FAZHI_SMS_GATEWAY_URL") {
            self.sms.gateway_url = v;
        }
        if let Some(v) = get("FAZHI_SMS_GATEWAY_TOKEN") {
            self.sms.gateway_token = v;
        }
        if let Some(v) = get("FAZHI_SMS_MAX_ATTEMPTS") {
            self.sms.max_attempts = parse("FAZHI_SMS_MAX_ATTEMPTS", &v)?;
        }
        if let Some(v) = get("FAZHI_SMS_RETRY_SECS") {
            self.sms.retry_secs = parse("FAZHI_SMS_RETRY_SECS", &v)?;
        }
        if let Some(v) = get("FAZHI_SMS_TIMEOUT_SECS") {
            self.sms.timeout_secs = parse("FAZHI_SMS_TIMEOUT_SECS", &v)?;
        }
        if let Some(v) = get("FAZHI_METRICS_ALLOW_LOOPBACK") {
            self.metrics.allow_loopback = boolean("FAZHI_METRICS_ALLOW_LOOPBACK", &v)?;
        }
        if let Some(v) = get("FAZHI_METRICS_TOKEN") {
            self.metrics.token = v;
        }
        Ok(())
    }

    /// Values that parse but make no sense stop start-up too.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.server.bind.parse::<std::net::SocketAddr>().is_err() {
            bail!("server.bind 的值“{}”不是有效的地址:端口（例如 127.0.0.1:8080）", self.server.bind);
        }
        if !(self.server.public_url.starts_with("http://") || self.server.public_url.starts_with("https://")) {
            bail!("server.public_url 必须以 http:// 或 https:// 开头");
        }
        if !(self.database.url.starts_with("sqlite://") || self.database.url.starts_with("postgres://") || self.database.url.starts_with("postgresql://")) {
            bail!("database.url（或 DATABASE_URL）必须以 sqlite:// 或 postgres:// 开头，收到“{}”", redact_url(&self.database.url));
        }
        if self.database.max_connections == 0 || self.database.max_connections > 200 {
            bail!("database.max_connections 应在 1–200 之间");
        }
        if self.server.max_upload_mb == 0 || self.server.max_upload_mb > 1024 {
            bail!("server.max_upload_mb 应在 1–1024 之间");
        }
        if let Some(bad) = self.server.trusted_proxies.iter().find(|p| crate::auth::client::Cidr::parse(p).is_none()) {
            bail!("server.trusted_proxies 中的“{bad}”不是有效的地址或地址段（例如 10.0.0.1 或 10.0.0.0/8）");
        }
        let token = &self.metrics.token;
        if !token.is_empty() && (token.chars().count() < 16 || !token.chars().all(|c| c.is_ascii_graphic())) {
            bail!("metrics.token 应为至少 16 个字符的可见 ASCII 字符（不含空格），或留空");
        }
        if self.jobs.interval_secs == 0 {
            bail!("jobs.interval_secs 必须大于 0");
        }
        if !self.sms.gateway_url.is_empty() && !self.sms.gateway_url.starts_with("http://") {
            bail!("sms.gateway_url 必须以 http:// 开头（网关在政务外网或本机中继上；HTTPS 请由中继终止）");
        }
        if !(1..=50).contains(&self.sms.max_attempts) {
            bail!("sms.max_attempts 应在 1–50 之间");
        }
        if !(1..=3600).contains(&self.sms.retry_secs) {
            bail!("sms.retry_secs 应在 1–3600 之间");
        }
        if !(1..=120).contains(&self.sms.timeout_secs) {
            bail!("sms.timeout_secs 应在 1–120 之间");
        }
        Ok(())
    }

    pub fn secure_cookies(&self) -> bool {
        self.server.public_url.starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::client::Cidr;

    #[test]
    fn example_file_parses() {
        let cfg: Config = toml::from_str(include_str!("../../../config/fazhi.example.toml")).unwrap();
        cfg.check().unwrap();
        assert_eq!(cfg.server.bind, "127.0.0.1:8080");
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_key() {
        let err = toml::from_str::<Config>("[server]\nbindd = \"x\"\n").err().unwrap();
        assert!(err.to_string().contains("bindd"));
        let mut cfg = Config::default();
        let e = cfg.apply_env(|k| (k == "FAZHI_SERVER_DEMO").then(|| "maybe".to_string())).unwrap_err();
        assert!(e.to_string().contains("FAZHI_SERVER_DEMO"));
        let mut cfg = Config::default();
        cfg.apply_env(|k| (k == "DATABASE_URL").then(|| "mysql://root@x/db".to_string())).unwrap();
        assert!(cfg.check().unwrap_err().to_string().contains("DATABASE_URL"));
        let mut cfg = Config::default();
        cfg.apply_env(|k| (k == "FAZHI_SERVER_TRUSTED_PROXIES").then(|| "10.0.0.1, 192.168.0.0/16".to_string())).unwrap();
        assert_eq!(cfg.server.trusted_proxies(), vec![Cidr::parse("10.0.0.1").unwrap(), Cidr::parse("192.168.0.0/16").unwrap()]);
        cfg.server.trusted_proxies.push("proxy.local".into());
        assert!(cfg.check().unwrap_err().to_string().contains("server.trusted_proxies"));
    }

    #[test]
    fn secrets_are_not_printed() {
        let mut cfg = Config::default();
        cfg.database.url = "postgres://fazhi:s3cret@db:5432/fazhi".into();
        cfg.metrics.token = "metrics-t0ken-of-20c".into();
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("s3cret") && !shown.contains("metrics-t0ken"), "{shown}");
        cfg.check().unwrap();
        cfg.metrics.token = "short".into();
        assert!(cfg.check().unwrap_err().to_string().contains("metrics.token"));
        assert!(shown.contains("fazhi:***@db"));
    }
}
