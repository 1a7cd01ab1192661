//! The address of the client, for throttles, lockouts and `/metrics`. The connection's other
//! end is the client, unless it is a proxy listed in `server.trusted_proxies`: then the client
//! is the nearest address in `X-Forwarded-For` that is not a trusted proxy (read from the right:
//! everything left of it was written by the client and may be forged). Without a trusted proxy
//! the header is ignored, so nobody escapes a throttle by sending one.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::state::AppState;

/// An address range: one address, or `address/prefix`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Option<Cidr> {
        let s = s.trim();
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = a.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max)?,
            None => max,
        };
        Some(Cidr { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = if self.prefix == 0 { 0 } else { u32::MAX << (32 - self.prefix) };
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = if self.prefix == 0 { 0 } else { u128::MAX << (128 - self.prefix) };
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// An IPv4 address that arrived as IPv6 (`::ffff:1.2.3.4`) is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The client's address from the peer and the headers, trusting `X-Forwarded-For` only from
/// the listed proxies.
pub fn resolve(peer: Option<SocketAddr>, headers: &HeaderMap, trusted: &[Cidr]) -> Option<IpAddr> {
    let mut addr = canonical(peer?.ip());
    if !trusted.iter().any(|c| c.contains(addr)) {
        return Some(addr);
    }
    let hops: Vec<&str> = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).collect();
    for hop in hops.iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                addr = canonical(ip);
                if !trusted.iter().any(|c| c.contains(addr)) {
                    break;
                }
            }
            // A hop that is not an address: the proxy's own record stops here.
            Err(_) => break,
        }
    }
    Some(addr)
}

/// The client's address; `None` only when the router is called without a connection (tests and
/// in-process calls), which the throttles treat as one shared unknown address.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub Option<IpAddr>);

impl ClientAddr {
    /// The key the throttles use: the address, or `unknown`.
    pub fn key(&self) -> String {
        self.0.map(|a| a.to_string()).unwrap_or_else(|| "unknown".into())
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
        Ok(ClientAddr(resolve(peer, &parts.headers, &state.config.server.trusted_proxies())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn ranges() {
        let c = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(c.contains("10.1.2.3".parse().unwrap()));
        assert!(c.contains("::ffff:10.1.2.3".parse().unwrap()));
        assert!(!c.contains("11.0.0.1".parse().unwrap()));
        assert!(Cidr::parse("127.0.0.1").unwrap().contains("127.0.0.1".parse().unwrap()));
        assert!(Cidr::parse("fd00::/8").unwrap().contains("fd12::1".parse().unwrap()));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains("8.8.8.8".parse().unwrap()));
        for bad in ["", "10.0.0.0/33", "example.org", "10.0.0/8", "::/129"] {
            assert_eq!(Cidr::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let peer: SocketAddr = "10.0.0.5:4000".parse().unwrap();
        let h = headers(&["1.1.1.1, 203.0.113.9"]);
        // Not trusted: the header is ignored.
        assert_eq!(resolve(Some(peer), &h, &[]), Some("10.0.0.5".parse().unwrap()));
        // Trusted: the nearest untrusted hop, not what the client wrote on the left.
        let t = [Cidr::parse("10.0.0.0/8").unwrap()];
        assert_eq!(resolve(Some(peer), &h, &t), Some("203.0.113.9".parse().unwrap()));
        let h2 = headers(&["1.1.1.1", "203.0.113.9, 10.0.0.7"]);
        assert_eq!(resolve(Some(peer), &h2, &t), Some("203.0.113.9".parse().unwrap()));
        // A trusted proxy that sent no header: the proxy is the client.
        assert_eq!(resolve(Some(peer), &HeaderMap::new(), &t), Some("10.0.0.5".parse().unwrap()));
        assert_eq!(resolve(Some(peer), &headers(&["garbage"]), &t), Some("10.0.0.5".parse().unwrap()));
        assert_eq!(resolve(None, &h, &t), None);
        assert_eq!(ClientAddr(None).key(), "unknown");
    }
}
