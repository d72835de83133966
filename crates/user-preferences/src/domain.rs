//! Preference rules. Each field is checked on its own and every bad one is named in `details`:
//! `unitSystem` imperial|metric, `currencyCode` an active ISO 4217 code, `timeZone` an IANA zone,
//! `darkMode` a boolean.

use mvp_types::FieldError;
use mvp_types::Invalid;
use mvp_types::user::{UnitSystem, UpdatePreferences};
use serde_json::Value;

/// Active ISO 4217 currency codes (funds and precious metals left out).
pub const CURRENCIES: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

/// A checked partial update: `None` leaves a preference as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreferenceChanges {
    pub unit_system: Option<UnitSystem>,
    pub currency_code: Option<String>,
    pub time_zone: Option<String>,
    pub dark_mode: Option<bool>,
    /// `Some(None)` clears the choice (back to the unit system's usual unit).
    pub efficiency_unit: Option<Option<String>>,
}

fn unit_system(value: &Value) -> Result<UnitSystem, String> {
    match value.as_str() {
        Some("imperial") => Ok(UnitSystem::Imperial),
        Some("metric") => Ok(UnitSystem::Metric),
        _ => Err("must be \"imperial\" or \"metric\"".to_owned()),
    }
}

fn currency(value: &Value) -> Result<String, String> {
    let code = value
        .as_str()
        .ok_or_else(|| "must be a three-letter ISO 4217 code such as \"USD\"".to_owned())?
        .trim()
        .to_ascii_uppercase();
    if CURRENCIES.binary_search(&code.as_str()).is_ok() {
        Ok(code)
    } else {
        Err(format!("{code:?} is not an ISO 4217 currency code"))
    }
}

/// Every IANA time zone name `timeZone` accepts (links such as `US/Eastern` included).
pub fn time_zone_names() -> Vec<&'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect()
}

fn time_zone(value: &Value) -> Result<String, String> {
    let zone = value
        .as_str()
        .ok_or_else(|| "must be an IANA time zone such as \"America/Chicago\"".to_owned())?
        .trim();
    zone.parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_owned())
        .map_err(|_| format!("{zone:?} is not an IANA time zone"))
}

impl TryFrom<UpdatePreferences> for PreferenceChanges {
    type Error = Invalid;

    fn try_from(body: UpdatePreferences) -> Result<Self, Invalid> {
        let mut details = Vec::new();
        let mut check = |field: &str, result: Result<(), String>| {
            if let Err(message) = result {
                details.push(FieldError::new(field, message));
            }
        };
        let mut changes = PreferenceChanges::default();
        if let Some(v) = body.unit_system.filter(|v| !v.is_null()) {
            check(
                "unitSystem",
                unit_system(&v).map(|u| changes.unit_system = Some(u)),
            );
        }
        if let Some(v) = body.currency_code.filter(|v| !v.is_null()) {
            check(
                "currencyCode",
                currency(&v).map(|c| changes.currency_code = Some(c)),
            );
        }
        if let Some(v) = body.time_zone.filter(|v| !v.is_null()) {
            check(
                "timeZone",
                time_zone(&v).map(|z| changes.time_zone = Some(z)),
            );
        }
        if let Some(v) = body.dark_mode.filter(|v| !v.is_null()) {
            check(
                "darkMode",
                v.as_bool()
                    .map(|b| changes.dark_mode = Some(b))
                    .ok_or_else(|| "must be true or false".to_owned()),
            );
        }
        if let Some(v) = body.efficiency_unit.filter(|v| !v.is_null()) {
            let choices = mvp_types::units::EfficiencyUnit::CHOICES;
            match v.as_str() {
                Some("auto") => changes.efficiency_unit = Some(None),
                Some(unit) if choices.contains(&unit) => {
                    changes.efficiency_unit = Some(Some(unit.to_owned()))
                }
                _ => details.push(FieldError::new(
                    "efficiencyUnit",
                    format!("must be one of {}, or \"auto\"", choices.join(", ")),
                )),
            }
        }
        if details.is_empty() {
            Ok(changes)
        } else {
            Err(Invalid(details))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_currency_list_is_sorted_for_binary_search() {
        assert!(CURRENCIES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn good_values_parse() {
        let body = UpdatePreferences {
            unit_system: Some(json!("metric")),
            currency_code: Some(json!("eur")),
            time_zone: Some(json!("Europe/Berlin")),
            dark_mode: Some(json!(true)),
            efficiency_unit: Some(json!("km_per_l")),
        };
        let changes = PreferenceChanges::try_from(body).unwrap_or_default();
        assert_eq!(changes.unit_system, Some(UnitSystem::Metric));
        assert_eq!(changes.currency_code.as_deref(), Some("EUR"));
        assert_eq!(changes.time_zone.as_deref(), Some("Europe/Berlin"));
        assert_eq!(changes.dark_mode, Some(true));
        assert_eq!(changes.efficiency_unit, Some(Some("km_per_l".to_owned())));
    }

    #[test]
    fn every_bad_field_is_named() {
        let body = UpdatePreferences {
            unit_system: Some(json!("furlongs")),
            currency_code: Some(json!("XYZ")),
            time_zone: Some(json!("Mars/Olympus")),
            dark_mode: Some(json!("yes")),
            efficiency_unit: Some(json!("furlongs_per_hogshead")),
        };
        match PreferenceChanges::try_from(body) {
            Err(Invalid(details)) => {
                let fields: Vec<&str> = details.iter().map(|d| d.field.as_str()).collect();
                assert_eq!(
                    fields,
                    [
                        "unitSystem",
                        "currencyCode",
                        "timeZone",
                        "darkMode",
                        "efficiencyUnit"
                    ]
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
