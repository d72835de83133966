//! `/api/vehicles/{id}/fuel-stats`: totals, economy and the monthly breakdown.

use super::*;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Totals, economy and a monthly breakdown for one vehicle, in the user's units and currency.
#[utoipa::path(get, path = "/api/vehicles/{id}/fuel-stats", tag = "fuel", security(("bearer" = [])),
    params(("id" = Uuid, Path), StatsQuery),
    responses((status = 200, body = FuelStats), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn stats(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Query(query): Query<StatsQuery>,
    kept: KeptRead,
) -> AppResult<Response> {
    if let Some(hit) = kept.hit() {
        return Ok(hit);
    }
    let vehicle_id = path_id(&id, "vehicle")?;
    let from = time_param("from", query.from.as_deref())?;
    let to = time_param("to", query.to.as_deref())?;
    mvp_vehicles::owned(&state, &user.user_id, vehicle_id).await?;
    let prefs = preferences(&state, &user).await?;
    let system = prefs.unit_system;
    let user_id = &user.user_id;
    // Without a range, the roll-up answers in one statement (the newest intervals included).
    let ranged = from.is_some() || to.is_some();
    let rollup = if ranged {
        months::Rollup {
            months: months::months_in_range(
                &state.db,
                user_id,
                vehicle_id,
                &prefs.time_zone,
                from,
                to,
            )
            .await?,
            ..months::Rollup::default()
        }
    } else {
        months::months(&state.db, user_id, vehicle_id, &prefs.time_zone).await?
    };
    let months = &rollup.months;
    let sum = |f: fn(&months::MonthTotals) -> Decimal| months.iter().map(f).sum::<Decimal>();
    let log_count: i64 = months.iter().map(|m| m.log_count).sum();
    let liquid_count: i64 = months.iter().map(|m| m.liquid_count).sum();
    let electric = log_count > 0 && liquid_count == 0;
    let kind = if electric {
        VolumeKind::Energy
    } else {
        VolumeKind::Liquid
    };
    let unit = EfficiencyUnit::for_user(system, kind, prefs.efficiency_unit.as_deref());
    let (interval_km, interval_volume, volume) = if electric {
        (
            sum(|m| m.energy_interval_km),
            sum(|m| m.energy_interval_volume),
            sum(|m| m.energy_volume),
        )
    } else {
        (
            sum(|m| m.liquid_interval_km),
            sum(|m| m.liquid_interval_volume),
            sum(|m| m.liquid_volume),
        )
    };
    let average = unit.compute(interval_km, interval_volume);
    let last = if ranged {
        repo::last_interval(&state.db, user_id, vehicle_id, electric, from, to).await?
    } else if electric {
        rollup.last_energy
    } else {
        rollup.last_liquid
    }
    .and_then(|(km, v)| unit.compute(km, v));
    let total_cost = sum(|m| m.total_cost);
    let distance = distance_from_km(sum(|m| m.distance_km), system);
    let cost_per_distance = (distance > Decimal::ZERO).then(|| half_even(total_cost / distance, 4));
    let monthly = months
        .iter()
        .map(|m| MonthlyFuel {
            month: m.month.format("%Y-%m").to_string(),
            total_cost: m.total_cost,
            fuel_units: half_even(
                volume_from_canonical(
                    if electric {
                        m.energy_volume
                    } else {
                        m.liquid_volume
                    },
                    system,
                    kind,
                ),
                3,
            ),
            distance: half_even(distance_from_km(m.distance_km, system), 1),
        })
        .collect();
    let (distance_unit, volume_unit) = match (system, kind) {
        (UnitSystem::Imperial, VolumeKind::Liquid) => ("mi", "gal"),
        (UnitSystem::Metric, VolumeKind::Liquid) => ("km", "l"),
        (UnitSystem::Imperial, VolumeKind::Energy) => ("mi", "kWh"),
        (UnitSystem::Metric, VolumeKind::Energy) => ("km", "kWh"),
    };
    kept.keep(
        None,
        &FuelStats {
            log_count,
            total_cost,
            total_fuel_units: half_even(volume_from_canonical(volume, system, kind), 3),
            total_distance: half_even(distance, 1),
            average_efficiency: average,
            last_efficiency: last,
            cost_per_distance,
            efficiency_unit: unit.as_str().to_owned(),
            distance_unit: distance_unit.to_owned(),
            volume_unit: volume_unit.to_owned(),
            currency: prefs.currency_code,
            monthly,
        },
    )
}
