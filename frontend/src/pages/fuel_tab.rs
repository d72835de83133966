//! The fuel tab (summary, a table on desktop and cards on mobile, economy on every row, edit and
//! delete) and the charts tab (economy over time, monthly cost).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use mvp_types::fuel::{FuelLog, FuelStats};
use mvp_types::ids::{FuelLogId, VehicleId};
use rust_decimal::prelude::ToPrimitive;

use crate::api::calls;
use crate::browser;
use crate::components::chart::{BarChart, Datum, LineChart};
use crate::components::ui::{Confirm, Empty, LoadError, Skeleton};
use crate::format;
use crate::state::ctx;

fn summary(s: &FuelStats, currency: &str) -> impl IntoView {
    let avg = s
        .average_efficiency
        .map(|e| format::efficiency(e, &s.efficiency_unit))
        .unwrap_or_else(|| "—".to_owned());
    let last = s
        .last_efficiency
        .map(|e| format::efficiency(e, &s.efficiency_unit))
        .unwrap_or_else(|| "—".to_owned());
    let per = s
        .cost_per_distance
        .map(|c| {
            format!(
                "{}/{}",
                format::money(c, currency),
                format::distance_label(&s.distance_unit)
            )
        })
        .unwrap_or_else(|| "—".to_owned());
    view! {
        <dl class="stats">
            <div><dt>"Average economy"</dt><dd data-testid="avg-economy">{avg}</dd></div>
            <div><dt>"Last economy"</dt><dd>{last}</dd></div>
            <div><dt>"Total spent"</dt><dd data-testid="total-cost">{format::money(s.total_cost, currency)}</dd></div>
            <div><dt>"Distance"</dt><dd data-testid="total-distance">{format::distance(s.total_distance, &s.distance_unit)}</dd></div>
            <div><dt>"Fuel"</dt><dd data-testid="total-fuel">{format::volume(s.total_fuel_units, &s.volume_unit)}</dd></div>
            <div><dt>"Cost per distance"</dt><dd>{per}</dd></div>
        </dl>
    }
}

#[component]
pub fn FuelTab(vehicle_id: VehicleId) -> impl IntoView {
    let c = ctx();
    let reload = RwSignal::new(0u32);
    let data = LocalResource::new(move || {
        let _ = (c.prefs.get(), reload.get());
        async move {
            let logs = calls::fuel_logs(vehicle_id, 500).await?;
            let stats = calls::fuel_stats(vehicle_id).await?;
            Ok::<_, crate::api::ApiError>((logs, stats))
        }
    });
    let to_delete = RwSignal::new(None::<FuelLogId>);
    let confirm_open = RwSignal::new(false);
    let on_delete = Callback::new(move |_| {
        let Some(id) = to_delete.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match calls::delete_fuel_log(id).await {
                Ok(()) => {
                    c.success("Fill-up deleted");
                    reload.update(|n| *n += 1);
                }
                Err(e) => c.error(e.to_string()),
            }
        });
    });
    let ask_delete = move |id: FuelLogId| {
        to_delete.set(Some(id));
        confirm_open.set(true);
    };
    let new_href = format!("/vehicles/{vehicle_id}/fuel/new");
    view! {
        <div class="page-head">
            <h2>"Fill-ups"</h2>
            <A href=new_href attr:class="btn primary">"Add fill-up"</A>
        </div>
        <Confirm open=confirm_open title="Delete this fill-up?" message=Signal::derive(|| "The economy of the next fill-up is recomputed.".to_owned()) confirm_label="Delete" on_confirm=on_delete />
        {move || match data.get() {
            None => view! { <Skeleton lines=5 /> }.into_any(),
            Some(Err(e)) => view! { <LoadError message=e.to_string() /> }.into_any(),
            Some(Ok((logs, _))) if logs.is_empty() => view! {
                <Empty text="No fill-ups yet — add the first.">
                    <A href=format!("/vehicles/{vehicle_id}/fuel/new") attr:class="btn primary">"Add fill-up"</A>
                </Empty>
            }.into_any(),
            Some(Ok((logs, stats))) => {
                let currency = c.currency();
                let tz = c.time_zone();
                view! {
                    <section class="card">{summary(&stats, &currency)}</section>
                    <LogTable logs=logs.clone() stats=stats.clone() currency=currency.clone() tz=tz.clone() on_delete=ask_delete />
                    <LogCards logs=logs stats=stats currency=currency tz=tz on_delete=ask_delete />
                }.into_any()
            }
        }}
    }
}

fn row_efficiency(l: &FuelLog) -> String {
    l.efficiency
        .map(|e| format::efficiency(e, &l.efficiency_unit))
        .unwrap_or_else(|| {
            if l.full_fill {
                "—".to_owned()
            } else {
                "partial".to_owned()
            }
        })
}

fn row_odometer(l: &FuelLog, unit: &str) -> String {
    match (l.odometer_reading, l.trip_distance) {
        (Some(o), _) => format::distance(o, unit),
        (None, Some(t)) => format!("+{}", format::distance(t, unit)),
        _ => "—".to_owned(),
    }
}

#[component]
fn LogTable(
    logs: Vec<FuelLog>,
    stats: FuelStats,
    currency: String,
    tz: String,
    on_delete: impl Fn(FuelLogId) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <div class="table-wrap only-desktop">
            <table class="logs">
                <thead>
                    <tr>
                        <th scope="col">"Date"</th>
                        <th scope="col">"Odometer"</th>
                        <th scope="col" class="num">"Fuel"</th>
                        <th scope="col" class="num">"Unit price"</th>
                        <th scope="col" class="num">"Total"</th>
                        <th scope="col" class="num">"Economy"</th>
                        <th scope="col">"Where"</th>
                        <th scope="col"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {logs.into_iter().map(|l| {
                        let id = l.id;
                        view! {
                            <tr data-log=id.to_string()>
                                <td>{format::date_time(browser::to_local(l.date_time, &tz))}</td>
                                <td>{row_odometer(&l, &stats.distance_unit)}</td>
                                <td class="num">{format::volume(l.fuel_units, &stats.volume_unit)}</td>
                                <td class="num">{format::unit_price(l.cost_per_unit, &currency, &stats.volume_unit)}</td>
                                <td class="num">{format::money(l.total_cost, &currency)}</td>
                                <td class="num" data-testid="row-economy">{row_efficiency(&l)}</td>
                                <td data-station=l.station_id.clone().unwrap_or_default()>{l.station.as_ref().map(|s| s.name.clone()).or_else(|| l.location_name.clone()).unwrap_or_default()}</td>
                                <td class="row-actions">
                                    <A href=format!("/vehicles/{}/fuel/{id}/edit", l.vehicle_id) attr:class="btn small">"Edit"</A>
                                    <button class="btn small danger" on:click=move |_| on_delete(id)>"Delete"</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn LogCards(
    logs: Vec<FuelLog>,
    stats: FuelStats,
    currency: String,
    tz: String,
    on_delete: impl Fn(FuelLogId) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <ul class="log-cards only-mobile">
            {logs.into_iter().map(|l| {
                let id = l.id;
                view! {
                    <li class="card log-card">
                        <div class="log-card-head">
                            <strong>{format::date_time(browser::to_local(l.date_time, &tz))}</strong>
                            <strong>{format::money(l.total_cost, &currency)}</strong>
                        </div>
                        <p>
                            {row_odometer(&l, &stats.distance_unit)} " · "
                            {format::volume(l.fuel_units, &stats.volume_unit)} " · "
                            {format::unit_price(l.cost_per_unit, &currency, &stats.volume_unit)}
                        </p>
                        <p>"Economy: " <strong>{row_efficiency(&l)}</strong></p>
                        <div class="row-actions">
                            <A href=format!("/vehicles/{}/fuel/{id}/edit", l.vehicle_id) attr:class="btn small">"Edit"</A>
                            <button class="btn small danger" on:click=move |_| on_delete(id)>"Delete"</button>
                        </div>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// The economy series, oldest first (the API lists newest first).
pub fn economy_series(
    logs: &[FuelLog],
    unit_label: &str,
) -> Vec<(chrono::DateTime<chrono::Utc>, f64, String)> {
    let mut points: Vec<_> = logs
        .iter()
        .filter_map(|l| {
            l.efficiency.map(|e| {
                (
                    l.date_time,
                    e.to_f64().unwrap_or(0.0),
                    format!("{} {unit_label}", format::decimal(e, 1)),
                )
            })
        })
        .collect();
    points.sort_by_key(|p| p.0);
    points
}

#[component]
pub fn ChartsTab(vehicle_id: VehicleId) -> impl IntoView {
    let c = ctx();
    let data = LocalResource::new(move || {
        let _ = c.prefs.get();
        async move {
            let logs = calls::fuel_logs(vehicle_id, 500).await?;
            let stats = calls::fuel_stats(vehicle_id).await?;
            Ok::<_, crate::api::ApiError>((logs, stats))
        }
    });
    view! {
        {move || match data.get() {
            None => view! { <Skeleton lines=6 /> }.into_any(),
            Some(Err(e)) => view! { <LoadError message=e.to_string() /> }.into_any(),
            Some(Ok((logs, stats))) => {
                let currency = c.currency();
                let tz = c.time_zone();
                let unit = format::efficiency_label(&stats.efficiency_unit);
                let economy: Vec<Datum> = economy_series(&logs, unit)
                    .into_iter()
                    .map(|(t, v, text)| {
                        let d = browser::to_local(t, &tz).date();
                        Datum { label: d.format("%b %-d").to_string(), value: v, text }
                    })
                    .collect();
                let mut monthly = stats.monthly.clone();
                monthly.sort_by(|a, b| a.month.cmp(&b.month));
                let cost: Vec<Datum> = monthly
                    .iter()
                    .map(|m| Datum {
                        label: format::month(&m.month),
                        value: m.total_cost.to_f64().unwrap_or(0.0),
                        text: format::money(m.total_cost, &currency),
                    })
                    .collect();
                view! {
                    <section class="card" data-testid="economy-chart">
                        {if economy.is_empty() {
                            view! { <Empty text="Economy appears after two full fill-ups." /> }.into_any()
                        } else {
                            view! { <LineChart title="Fuel economy over time" unit=unit.to_owned() data=economy /> }.into_any()
                        }}
                    </section>
                    <section class="card" data-testid="cost-chart">
                        {if cost.is_empty() {
                            view! { <Empty text="No fill-ups yet — add the first." /> }.into_any()
                        } else {
                            view! { <BarChart title="Fuel cost per month" unit=currency.clone() data=cost /> }.into_any()
                        }}
                    </section>
                }.into_any()
            }
        }}
    }
}
