//! Offline VIN decoding. The structure, check digit and model year come from `mvp_types::Vin`; the
//! WMI from our table; model, trim, engine and plant from the NHTSA vPIC patterns embedded in the
//! `vin-decode` crate (unpacked once into its data directory, then memory-mapped); names are matched
//! to the catalog's spelling and the engine and fuel are filled from the catalog where it is certain.
//! VINs are never logged.

use chrono::Datelike;
use mvp_types::Vin;
use mvp_types::platform::VinDecode;
use sqlx::PgPool;
use tokio::sync::OnceCell;

use crate::repo;

/// The decoder, or `None` if its data could not be installed (decoding then uses WMI and year only).
static DECODER: OnceCell<Option<vin_decode::Decoder>> = OnceCell::const_new();

async fn decoder() -> Option<&'static vin_decode::Decoder> {
    DECODER
        .get_or_init(|| async {
            match tokio::task::spawn_blocking(vin_decode::Decoder::new).await {
                Ok(Ok(decoder)) => Some(decoder),
                Ok(Err(err)) => {
                    tracing::warn!(error = %err, "vPIC pattern data unavailable; VIN decoding uses WMI and year only");
                    None
                }
                Err(err) => {
                    tracing::warn!(error = %err, "vPIC decoder start failed");
                    None
                }
            }
        })
        .await
        .as_ref()
}

/// What a VIN says about a vehicle.
pub type DecodedVin = VinDecode;

fn clean(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty() && !v.chars().all(|c| c.is_ascii_digit()))
}

/// vPIC writes names in capitals (`TESLA`, `MERCEDES-BENZ`); short ones are initialisms (`BMW`, `GMC`).
fn title_case(name: &str) -> String {
    if name.len() <= 3 || name.chars().any(|c| c.is_ascii_lowercase()) {
        return name.to_owned();
    }
    let mut out = String::with_capacity(name.len());
    let mut start = true;
    for c in name.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = !c.is_alphanumeric();
    }
    out
}

fn fuel_name(fuel: vin_decode::FuelType) -> Option<&'static str> {
    use vin_decode::FuelType as F;
    Some(match fuel {
        F::Gasoline => "gasoline",
        F::Diesel => "diesel",
        F::Electric => "electric",
        F::Ethanol | F::FlexFuel => "e85",
        F::Cng | F::NaturalGas | F::Lng => "cng",
        F::Lpg => "lpg",
        F::Hydrogen | F::FuelCell => "hydrogen",
        F::Hybrid | F::PluginHybrid => "gasoline",
        F::Methanol | F::Other => return None,
    })
}

/// Picks the catalog engine that matches the cylinder count (`I4`, `V6`, `H4` …), when exactly one does.
fn engine_by_cylinders(engines: &[String], cylinders: u8) -> Option<String> {
    let tags = [
        format!("I{cylinders}"),
        format!("V{cylinders}"),
        format!("H{cylinders}"),
        format!("W{cylinders}"),
    ];
    let matches: Vec<&String> = engines
        .iter()
        .filter(|e| {
            e.split_whitespace()
                .any(|word| tags.iter().any(|t| t == word))
        })
        .collect();
    match matches.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    }
}

pub async fn decode_vin(pool: &PgPool, vin: &Vin) -> sqlx::Result<VinDecode> {
    let year = vin.model_year(chrono::Utc::now().year());
    let wmi = repo::wmi(pool, vin.wmi()).await?;
    let vehicle = match decoder().await {
        Some(decoder) => decoder.decode_unchecked(vin.as_str()).ok(),
        None => None,
    };

    let vpic_make = vehicle.as_ref().and_then(|v| clean(v.make.clone()));
    // vPIC knows the brand behind a shared WMI (1C4 is Jeep, Dodge or Chrysler); the WMI table is
    // the fallback when the patterns do not.
    let make_guess = vpic_make.or_else(|| wmi.as_ref().map(|(_, make, _)| make.clone()));
    let make = match &make_guess {
        Some(m) => repo::canonical_make(pool, m)
            .await?
            .or_else(|| Some(title_case(m))),
        None => None,
    };
    let vpic_model = vehicle.as_ref().and_then(|v| clean(v.model.clone()));
    let model = match (&make, &vpic_model) {
        (Some(make), Some(model)) => repo::canonical_model(pool, make, model)
            .await?
            .or(vpic_model.clone()),
        _ => vpic_model,
    };
    let trim = vehicle.as_ref().and_then(|v| clean(v.trim.clone()));

    let catalog_engines: Vec<String> = match (year, &make, &model) {
        (Some(year), Some(make), Some(model)) => {
            let year = i16::try_from(year).unwrap_or(0);
            let by_trim = repo::engines(pool, year, make, model, trim.as_deref()).await?;
            let list = if by_trim.is_empty() {
                repo::engines(pool, year, make, model, None).await?
            } else {
                by_trim
            };
            list.into_iter().map(|e| e.name).collect()
        }
        _ => Vec::new(),
    };
    let engine = match (&catalog_engines[..], vehicle.as_ref()) {
        ([one], _) => Some(one.clone()),
        (many, Some(v)) => v
            .engine_cylinders
            .and_then(|c| engine_by_cylinders(many, c))
            .or_else(|| v.displacement_l.map(|d| format!("{d:.1}L")))
            .or_else(|| clean(v.engine_model.clone())),
        _ => None,
    };
    let fuel_type = if !catalog_engines.is_empty()
        && catalog_engines.iter().all(|e| e.contains("Electric"))
    {
        Some("electric".to_owned())
    } else if !catalog_engines.is_empty() && catalog_engines.iter().all(|e| e.contains("Diesel")) {
        Some("diesel".to_owned())
    } else {
        vehicle
            .as_ref()
            .and_then(|v| v.fuel_primary)
            .and_then(fuel_name)
            .map(str::to_owned)
            .or_else(|| (!catalog_engines.is_empty()).then(|| "gasoline".to_owned()))
    };
    let body_class = vehicle
        .as_ref()
        .and_then(|v| v.body_type)
        .filter(|b| *b != vin_decode::BodyType::Unknown)
        .map(|b| format!("{b:?}"));
    let manufacturer = wmi
        .as_ref()
        .map(|(manufacturer, _, _)| manufacturer.clone())
        .or_else(|| vehicle.as_ref().and_then(|v| clean(v.manufacturer.clone())));
    let plant_country = vehicle
        .as_ref()
        .and_then(|v| clean(v.plant_country.clone()))
        .or_else(|| wmi.as_ref().map(|(_, _, country)| country.clone()));

    Ok(VinDecode {
        vin: vin.as_str().to_owned(),
        valid: true,
        year,
        make,
        model,
        trim,
        engine,
        body_class,
        fuel_type,
        manufacturer,
        plant_country,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capitalised_names_are_title_cased_but_initialisms_kept() {
        assert_eq!(title_case("TESLA"), "Tesla");
        assert_eq!(title_case("MERCEDES-BENZ"), "Mercedes-Benz");
        assert_eq!(title_case("BMW"), "BMW");
        assert_eq!(title_case("McLaren"), "McLaren");
    }

    #[test]
    fn the_engine_with_the_right_cylinder_count_is_chosen() {
        let engines = vec!["2.4L I4".to_owned(), "3.0L V6".to_owned()];
        assert_eq!(engine_by_cylinders(&engines, 6).as_deref(), Some("3.0L V6"));
        assert_eq!(engine_by_cylinders(&engines, 8), None);
    }
}
