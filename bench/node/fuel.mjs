// The two fuel reads of `make bench`, written the way the original Node stack would: Fastify +
// node-postgres (pool of 10) + `jose` verifying RS256 against the issuer's JWKS (cached), one indexed
// select per request, scoped by the token's user. It runs beside ../shared/perf/node-baseline's
// server.js (GET /api/vehicles), from the same installed packages and with the same auth hook, and
// exists only to be measured against mvp-backend.
//
//   GET /api/fuel-logs?vehicleId=        the first page (100 rows, newest first)
//   GET /api/vehicles/:id/fuel-stats     totals and months from one GROUP BY over the vehicle's rows
//
// Environment: DATABASE_URL, ISSUER, AUDIENCE, JWKS_URL, PORT (default 3102).

import Fastify from 'fastify';
import pg from 'pg';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const { DATABASE_URL, ISSUER, AUDIENCE, JWKS_URL, PORT = '3102' } = process.env;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
const jwks = createRemoteJWKSet(new URL(JWKS_URL), { cacheMaxAge: 3600_000, cooldownDuration: 30_000 });
const app = Fastify({ logger: false });

app.addHook('onRequest', async (req, reply) => {
  const h = req.headers.authorization || '';
  if (!h.startsWith('Bearer ')) return reply.code(401).send({ error: { code: 'unauthorized' } });
  try {
    const { payload } = await jwtVerify(h.slice(7), jwks, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'] });
    req.userId = payload.sub;
  } catch { return reply.code(401).send({ error: { code: 'unauthorized' } }); }
});

const num = (v) => (v === null ? null : Number(v));

app.get('/api/fuel-logs', async (req) => {
  const { rows } = await pool.query(
    `SELECT id, vehicle_id, date_time, odometer_reading, trip_distance, fuel_type, fuel_grade, fuel_units,
            cost_per_unit, total_cost, full_fill, missed_previous, station_id, location_name, notes, efficiency,
            created_at, updated_at
       FROM bench_fuel_logs WHERE user_id = $1 AND vehicle_id = $2 AND deleted_at IS NULL
      ORDER BY date_time DESC, id DESC LIMIT 100`, [req.userId, req.query.vehicleId]);
  return rows.map((r) => ({ id: r.id, vehicleId: r.vehicle_id, dateTime: r.date_time,
    odometerReading: num(r.odometer_reading), tripDistance: num(r.trip_distance), fuelType: r.fuel_type,
    fuelGrade: r.fuel_grade, fuelUnits: num(r.fuel_units), costPerUnit: num(r.cost_per_unit),
    totalCost: num(r.total_cost), fullFill: r.full_fill, missedPrevious: r.missed_previous, stationId: r.station_id,
    locationName: r.location_name, notes: r.notes, efficiency: num(r.efficiency), createdAt: r.created_at,
    updatedAt: r.updated_at }));
});

app.get('/api/vehicles/:id/fuel-stats', async (req) => {
  const { rows } = await pool.query(
    `SELECT to_char(date_trunc('month', date_time), 'YYYY-MM') AS month, count(*)::int AS log_count,
            sum(total_cost) AS total_cost, sum(fuel_units) AS fuel_units,
            max(odometer_reading) - min(odometer_reading) AS distance,
            sum(fuel_units) FILTER (WHERE efficiency IS NOT NULL) AS economy_units,
            (array_agg(efficiency ORDER BY date_time DESC) FILTER (WHERE efficiency IS NOT NULL))[1] AS last_efficiency
       FROM bench_fuel_logs WHERE user_id = $1 AND vehicle_id = $2 AND deleted_at IS NULL
      GROUP BY 1 ORDER BY 1`, [req.userId, req.params.id]);
  const sum = (field) => rows.reduce((total, r) => total + num(r[field] ?? 0), 0);
  const totalDistance = sum('distance');
  const economyUnits = sum('economy_units');
  const totalCost = sum('total_cost');
  return {
    logCount: sum('log_count'), totalCost, totalFuelUnits: sum('fuel_units'), totalDistance,
    averageEfficiency: economyUnits > 0 ? totalDistance / economyUnits : null,
    lastEfficiency: rows.length ? num(rows[rows.length - 1].last_efficiency) : null,
    costPerDistance: totalDistance > 0 ? totalCost / totalDistance : null,
    efficiencyUnit: 'mpg', distanceUnit: 'mi', volumeUnit: 'gal', currency: 'USD',
    monthly: rows.map((r) => ({ month: r.month, totalCost: num(r.total_cost), fuelUnits: num(r.fuel_units),
      distance: num(r.distance) })),
  };
});

app.listen({ port: Number(PORT), host: '127.0.0.1' });
