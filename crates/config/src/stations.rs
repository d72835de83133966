//! The `stations` section: the Google Places API (New) client, how long its answers are kept, and
//! the bounds on community price reports.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StationsConfig {
    /// Places API (New), e.g. `https://places.googleapis.com`; tests point it at a local fake.
    pub google_base_url: String,
    /// Secret `google-maps-api-key`. Without one, search answers from community and saved stations.
    pub google_api_key: Option<SecretString>,
    pub google_timeout_secs: u64,
    /// Results per Google request (the API allows 1–20).
    pub google_max_results: u32,
    /// A cached Google answer is fresh this long; the same search within it does not call Google.
    pub cache_ttl_secs: u64,
    /// A cached answer is kept this long to serve while Google is down or over quota.
    pub stale_ttl_secs: u64,
    /// A reported price must be above 0 and below this (per unit, in the reporter's currency).
    pub price_ceiling: u32,
    /// Price reports one user may make for one station in an hour; more → 429.
    pub price_reports_per_hour: u32,
}

impl StationsConfig {
    /// The key, when one is set and not blank.
    pub fn google_key(&self) -> Option<&SecretString> {
        self.google_api_key
            .as_ref()
            .filter(|k| !k.expose_secret().trim().is_empty())
    }

    pub fn google_timeout(&self) -> Duration {
        Duration::from_secs(self.google_timeout_secs)
    }

    pub fn cache_ttl(&self) -> Duration {
        Duration::from_secs(self.cache_ttl_secs)
    }

    pub fn stale_ttl(&self) -> Duration {
        Duration::from_secs(self.stale_ttl_secs)
    }

    pub(crate) fn check(&self, problems: &mut Vec<(String, String)>) {
        crate::validate::check_http_url(
            "stations.google_base_url",
            &self.google_base_url,
            problems,
        );
        if !(1..=20).contains(&self.google_max_results) {
            problems.push((
                "stations.google_max_results".into(),
                "must be from 1 to 20 (the Places API's limit)".into(),
            ));
        }
        for (key, value) in [
            ("stations.google_timeout_secs", self.google_timeout_secs),
            ("stations.cache_ttl_secs", self.cache_ttl_secs),
            ("stations.price_ceiling", u64::from(self.price_ceiling)),
            (
                "stations.price_reports_per_hour",
                u64::from(self.price_reports_per_hour),
            ),
        ] {
            if value == 0 {
                problems.push((key.into(), "must be at least 1".into()));
            }
        }
        if self.stale_ttl_secs < self.cache_ttl_secs {
            problems.push((
                "stations.stale_ttl_secs".into(),
                "must be at least stations.cache_ttl_secs".into(),
            ));
        }
    }
}
