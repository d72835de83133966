//! `ClientInfo`: the caller's IP address and user agent, for audit rows and rate limits. Proxy headers
//! are believed only with `server.trust_proxy_headers`, and only from a peer in
//! `server.trusted_proxies`: `X-Forwarded-For` is read from the right, skipping the trusted proxies'
//! own entries, so the first address no proxy of ours vouches for is the client — a client cannot
//! pick its address by sending the header itself. Rate limits key IPv6 clients by their /64 (one
//! subscriber's whole allocation), IPv4 by address.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;

use crate::state::AppState;

#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
}

impl ClientInfo {
    /// The IP as text for rate-limit keys (`unknown` when not known): IPv4 as is, IPv6 as its /64.
    pub fn ip_key(&self) -> String {
        match self.ip.map(|ip| ip.to_canonical()) {
            None => "unknown".to_owned(),
            Some(IpAddr::V4(v4)) => v4.to_string(),
            Some(IpAddr::V6(v6)) => {
                let prefix = u128::from(v6) & (u128::MAX << 64);
                format!("{}/64", Ipv6Addr::from(prefix))
            }
        }
    }
}

pub use mvp_config::Cidr;

/// The client behind `peer`: the rightmost `X-Forwarded-For` entry that is not a trusted proxy
/// (the leftmost when all are), else `X-Real-IP`, else the peer — and the peer itself whenever it is
/// not a trusted proxy.
pub fn client_ip(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    real_ip: Option<&str>,
    trusted: &[Cidr],
) -> Option<IpAddr> {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(ip));
    let peer = peer?;
    if !is_trusted(peer) {
        return Some(peer);
    }
    if let Some(header) = forwarded_for {
        let hops: Vec<IpAddr> = header
            .split(',')
            .filter_map(|hop| hop.trim().parse().ok())
            .collect();
        if let Some(client) = hops.iter().rev().find(|ip| !is_trusted(**ip)) {
            return Some(*client);
        }
        if let Some(first) = hops.first() {
            return Some(*first);
        }
    }
    real_ip.and_then(|v| v.trim().parse().ok()).or(Some(peer))
}

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        let server = &state.config.server;
        let ip = if server.trust_proxy_headers {
            let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
            client_ip(
                peer,
                header("x-forwarded-for"),
                header("x-real-ip"),
                &server.trusted_proxies,
            )
        } else {
            peer
        };
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(512).collect());
        Ok(Self { ip, user_agent })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<Cidr> {
        list.iter().filter_map(|n| n.parse().ok()).collect()
    }

    fn ip(text: &str) -> Option<IpAddr> {
        text.parse().ok()
    }

    #[test]
    fn networks_parse_and_match() {
        let net: Cidr = "10.0.0.0/8".parse().unwrap_or_else(|e| panic!("{e}"));
        assert!(net.contains("10.200.1.2".parse().unwrap_or(IpAddr::from([0; 4]))));
        assert!(!net.contains("11.0.0.1".parse().unwrap_or(IpAddr::from([0; 4]))));
        let v6: Cidr = "fd00::/8".parse().unwrap_or_else(|e| panic!("{e}"));
        assert!(v6.contains("fd12::1".parse().unwrap_or(IpAddr::from([0; 4]))));
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
        assert!("proxy".parse::<Cidr>().is_err());
        let one: Cidr = "192.0.2.7".parse().unwrap_or_else(|e| panic!("{e}"));
        assert!(one.contains("::ffff:192.0.2.7".parse().unwrap_or(IpAddr::from([0; 4]))));
    }

    #[test]
    fn forwarded_for_is_read_from_the_right_past_trusted_proxies() {
        let trusted = nets(&["10.0.0.0/8", "127.0.0.1"]);
        // The client wrote "1.1.1.1" itself; Traefik (10.0.0.5) appended the address it saw.
        assert_eq!(
            client_ip(ip("10.0.0.5"), Some("1.1.1.1, 203.0.113.9"), None, &trusted),
            ip("203.0.113.9")
        );
        // Two trusted hops before ours.
        assert_eq!(
            client_ip(
                ip("127.0.0.1"),
                Some("198.51.100.4, 10.0.0.9, 10.0.0.5"),
                None,
                &trusted
            ),
            ip("198.51.100.4")
        );
        // A peer that is not a proxy of ours is believed over any header.
        assert_eq!(
            client_ip(
                ip("203.0.113.50"),
                Some("1.1.1.1"),
                Some("2.2.2.2"),
                &trusted
            ),
            ip("203.0.113.50")
        );
        // No header: X-Real-IP, then the peer.
        assert_eq!(
            client_ip(ip("10.0.0.5"), None, Some("192.0.2.1"), &trusted),
            ip("192.0.2.1")
        );
        assert_eq!(
            client_ip(ip("10.0.0.5"), Some("junk"), None, &trusted),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        let key = |text: &str| {
            ClientInfo {
                ip: ip(text),
                user_agent: None,
            }
            .ip_key()
        };
        assert_eq!(key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
        assert_ne!(key("2001:db8:1:3::1"), key("2001:db8:1:2::1"));
        assert_eq!(key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(key("192.0.2.7"), "192.0.2.7");
        assert_eq!(ClientInfo::default().ip_key(), "unknown");
    }
}
