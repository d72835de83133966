//! Push channels: an ntfy topic (a POST of the text with a `Title` header) and a generic webhook (a
//! JSON POST signed with HMAC-SHA256 in `X-MVP-Signature: sha256=<hex>`). Their URLs are the user's,
//! so they are checked when saved (https, and every address the name resolves to is public) and
//! again when used: the client's resolver refuses private addresses, so a name that later resolves
//! to 127.0.0.1 (DNS rebinding) gets nowhere, and redirects are not followed.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::transport::SendError;

/// Longest push URL accepted.
pub const URL_MAX_CHARS: usize = 2048;
/// The webhook signature header.
pub const SIGNATURE_HEADER: &str = "X-MVP-Signature";

/// Whether an address is on the public internet (not loopback, private, link-local, CGNAT,
/// documentation, multicast, unspecified or reserved).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (first == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
                || v6 == Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0))
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_unspecified()
        || ip.is_multicast()
        || a == 0
        || a >= 240
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64.0.0/10
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF 192.0.0.0/24
        || (a == 198 && (b == 18 || b == 19))) // benchmarking 198.18.0.0/15
}

/// Checks a push URL a user saves: parseable, https (or http when private URLs are allowed), a host,
/// no credentials, and a name that resolves only to public addresses. The message names the problem.
pub async fn check_url(raw: &str, allow_private: bool) -> Result<Url, String> {
    if raw.chars().count() > URL_MAX_CHARS {
        return Err(format!("at most {URL_MAX_CHARS} characters"));
    }
    let url = Url::parse(raw).map_err(|_| "is not a URL".to_owned())?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err("must be an https:// URL".to_owned()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain a user name or password".to_owned());
    }
    let Some(host) = url.host_str() else {
        return Err("has no host".to_owned());
    };
    if allow_private {
        return Ok(url);
    }
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::time::timeout(
            Duration::from_secs(5),
            tokio::net::lookup_host((host.as_str(), port)),
        )
        .await
        .map_err(|_| "its host name did not resolve in time".to_owned())?
        .map_err(|_| "its host name does not resolve".to_owned())?
        .collect(),
    };
    if addrs.is_empty() {
        return Err("its host name does not resolve".to_owned());
    }
    if addrs.iter().any(|a| !is_public(a.ip())) {
        return Err(
            "points at a private, loopback or link-local address; push URLs must be public"
                .to_owned(),
        );
    }
    Ok(url)
}

/// A resolver that hands reqwest only public addresses (all of them, when private ones are
/// allowed).
#[derive(Debug, Clone, Copy)]
struct PublicOnly {
    allow_private: bool,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| allow_private || is_public(a.ip()))
                .collect();
            if found.is_empty() {
                let err: Box<dyn std::error::Error + Send + Sync> =
                    format!("{host} resolves to no public address").into();
                return Err(err);
            }
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

/// The HTTP client for push URLs.
#[derive(Clone)]
pub struct PushClient {
    http: reqwest::Client,
    allow_private: bool,
}

impl PushClient {
    pub fn new(allow_private: bool, timeout: Duration) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .dns_resolver(Arc::new(PublicOnly { allow_private }))
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(timeout)
            .user_agent(concat!("motovaultpro/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            allow_private,
        })
    }

    /// The URL again, as at save time but without a lookup (the resolver does that), and an IP
    /// literal checked here because reqwest does not resolve those.
    fn target(&self, raw: &str) -> Result<Url, SendError> {
        let url = Url::parse(raw).map_err(|_| SendError::Permanent("not a URL".to_owned()))?;
        if url.scheme() != "https" && !self.allow_private {
            return Err(SendError::Permanent("not an https:// URL".to_owned()));
        }
        let literal = url
            .host_str()
            .map(|h| h.trim_start_matches('[').trim_end_matches(']'))
            .and_then(|h| h.parse::<IpAddr>().ok());
        if let Some(ip) = literal
            && !self.allow_private
            && !is_public(ip)
        {
            return Err(SendError::Permanent(
                "the URL points at a private address".to_owned(),
            ));
        }
        Ok(url)
    }

    /// Publishes to an ntfy topic URL.
    pub async fn ntfy(&self, url: &str, title: &str, text: &str) -> Result<(), SendError> {
        let url = self.target(url)?;
        let mut request = self.http.post(url).body(text.to_owned());
        if let Ok(value) = reqwest::header::HeaderValue::from_bytes(title.as_bytes()) {
            request = request.header("Title", value);
        }
        answer(request.header("Tags", "wrench").send().await).await
    }

    /// POSTs `body` (JSON) signed with `secret`.
    pub async fn webhook(&self, url: &str, secret: &str, body: &[u8]) -> Result<(), SendError> {
        let url = self.target(url)?;
        let request = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signature(secret, body))
            .body(body.to_vec());
        answer(request.send().await).await
    }
}

async fn answer(result: reqwest::Result<reqwest::Response>) -> Result<(), SendError> {
    let response = result.map_err(|e| {
        // A refused name (private address) is final; a connection problem is not.
        let text = format!("{e}");
        let mut source: Option<&dyn std::error::Error> = std::error::Error::source(&e);
        while let Some(s) = source {
            if s.to_string().contains("resolves to no public address") {
                return SendError::Permanent(s.to_string());
            }
            source = s.source();
        }
        SendError::Temporary(text)
    })?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else if status.as_u16() == 429 || status.is_server_error() || status.as_u16() == 408 {
        Err(SendError::Temporary(format!("answered {status}")))
    } else {
        Err(SendError::Permanent(format!("answered {status}")))
    }
}

/// `sha256=<hex of HMAC-SHA256(secret, body)>`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret.as_bytes());
    let tag = aws_lc_rs::hmac::sign(&key, body);
    format!("sha256={}", mvp_core::secret::hex(tag.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "2001:db8::1",
        ] {
            let ip: IpAddr = ip.parse().unwrap_or_else(|e| panic!("{ip}: {e}"));
            assert!(!is_public(ip), "{ip} counted as public");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            let ip: IpAddr = ip.parse().unwrap_or_else(|e| panic!("{ip}: {e}"));
            assert!(is_public(ip), "{ip} counted as private");
        }
    }

    #[tokio::test]
    async fn urls_are_checked_before_they_are_saved() {
        assert_eq!(
            check_url("http://ntfy.sh/x", false).await.err().as_deref(),
            Some("must be an https:// URL")
        );
        assert!(
            check_url("https://127.0.0.1/hook", false)
                .await
                .err()
                .is_some_and(|e| e.contains("private"))
        );
        assert!(
            check_url("https://localhost/hook", false)
                .await
                .err()
                .is_some_and(|e| e.contains("private"))
        );
        assert!(
            check_url("https://[::1]:8443/hook", false)
                .await
                .err()
                .is_some_and(|e| e.contains("private"))
        );
        assert_eq!(
            check_url("https://u:p@example.com/", false)
                .await
                .err()
                .as_deref(),
            Some("must not contain a user name or password")
        );
        assert!(check_url("http://127.0.0.1:9/hook", true).await.is_ok());
        assert_eq!(
            check_url("not a url", true).await.err().as_deref(),
            Some("is not a URL")
        );
    }

    #[test]
    fn the_signature_is_hmac_sha256_hex() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
