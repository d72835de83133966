//! Whole numbers as JSON writes them: `2020`, but also `2020.0` or `2.02e3`, which JSON Schema counts
//! as integers too (a generator, or a client that keeps every number as a float, may send them). Used
//! with `#[serde(default, deserialize_with = "…")]` on the integer fields of request bodies; a number
//! with a fraction, or out of the field's range, is still refused, naming the field.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::de::Error;
use serde::{Deserialize, Deserializer};
use serde_json::Number;

fn whole<T: TryFrom<i64>>(n: &Number) -> Option<T> {
    let value = match n.as_i64() {
        Some(v) => v,
        None => {
            let text = n.to_string();
            let d = text
                .parse::<Decimal>()
                .or_else(|_| Decimal::from_scientific(&text))
                .ok()?;
            if !d.fract().is_zero() {
                return None;
            }
            d.to_i64()?
        }
    };
    T::try_from(value).ok()
}

fn refuse<E: Error>(n: &Number) -> E {
    E::custom(format!("expected a whole number in range, got {n}"))
}

/// A required whole-number `T` (`u8`, `u32`, …).
pub fn required<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    let n = Number::deserialize(d)?;
    whole(&n).ok_or_else(|| refuse(&n))
}

/// `Option<T>` for a whole-number `T` (`i32`, `i64`, …).
pub fn option<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    match Option::<Number>::deserialize(d)? {
        None => Ok(None),
        Some(n) => whole(&n).map(Some).ok_or_else(|| refuse(&n)),
    }
}

/// `Option<Vec<T>>` for a whole-number `T`.
pub fn option_vec<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    match Option::<Vec<Number>>::deserialize(d)? {
        None => Ok(None),
        Some(list) => list
            .iter()
            .map(|n| whole(n).ok_or_else(|| refuse(n)))
            .collect::<Result<Vec<T>, _>>()
            .map(Some),
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Body {
        #[serde(default, deserialize_with = "super::option")]
        year: Option<i32>,
        #[serde(default, deserialize_with = "super::option_vec")]
        days: Option<Vec<i32>>,
    }

    fn parse(json: &str) -> Result<Body, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn integral_floats_are_whole_numbers() {
        let body =
            parse(r#"{"year": 2020.0, "days": [30, 7.0, 1e1]}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(body.year, Some(2020));
        assert_eq!(body.days, Some(vec![30, 7, 10]));
        let body = parse(r#"{"year": null}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((body.year, body.days), (None, None));
    }

    #[test]
    fn fractions_out_of_range_and_other_types_are_refused() {
        for json in [
            r#"{"year": 2020.5}"#,
            r#"{"year": 3000000000}"#,
            r#"{"year": "2020"}"#,
            r#"{"days": [1.5]}"#,
            r#"{"year": 1e400}"#,
        ] {
            assert!(parse(json).is_err(), "{json}");
        }
    }
}
