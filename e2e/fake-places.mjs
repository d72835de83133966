// A small Google Places API (New) for the browser tests of the stations page: `POST
// /v1/places:searchNearby` and `/v1/places:searchText` with Google's JSON, checking the
// `X-Goog-Api-Key` and `X-Goog-FieldMask` headers as Google does. `POST /__fail` with `{"status": 503}`
// makes the next search answer that status (so a test can see the page while Google is down).
// The Rust tests use crates/test-support/src/fakes/places.rs, which speaks the same protocol.

import { createServer } from 'node:http';

const R = 6371008.8;
const rad = (d) => (d * Math.PI) / 180;
export function distance(a, b) {
  const h = Math.sin(rad(b.latitude - a.latitude) / 2) ** 2
    + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(rad(b.longitude - a.longitude) / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function startFakePlaces({ port, key, places }) {
  const stats = { calls: 0 };
  let failNext = null;
  const error = (res, code, status, message) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code, message, status } }));
  };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => { raw += c; });
    req.on('end', () => {
      let body = {};
      try { body = JSON.parse(raw || '{}'); } catch { body = {}; }
      if (req.url === '/__fail') {
        failNext = body.status ?? 503;
        res.writeHead(204); res.end();
        return;
      }
      stats.calls += 1;
      if (!req.headers['x-goog-api-key']) return error(res, 403, 'PERMISSION_DENIED', 'The request is missing a valid API key.');
      if (req.headers['x-goog-api-key'] !== key) return error(res, 400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.');
      const mask = (req.headers['x-goog-fieldmask'] ?? '').split(',').map((f) => f.trim());
      for (const f of ['places.id', 'places.displayName', 'places.formattedAddress', 'places.location']) {
        if (!mask.includes(f)) return error(res, 400, 'INVALID_ARGUMENT', `FieldMask is a required parameter (${f})`);
      }
      if (failNext) {
        const code = failNext; failNext = null;
        return error(res, code, code === 429 ? 'RESOURCE_EXHAUSTED' : 'UNAVAILABLE', 'scripted failure');
      }
      let found;
      if (req.url === '/v1/places:searchNearby') {
        const c = body.locationRestriction?.circle;
        if (!c?.center || !(c.radius > 0 && c.radius <= 50000)) return error(res, 400, 'INVALID_ARGUMENT', 'locationRestriction.circle');
        found = places.map((p) => [distance(c.center, p), p]).filter(([d]) => d <= c.radius);
      } else if (req.url === '/v1/places:searchText') {
        const words = String(body.textQuery ?? '').toLowerCase().split(/\s+/).filter(Boolean);
        if (!words.length) return error(res, 400, 'INVALID_ARGUMENT', 'textQuery is required');
        const center = body.locationBias?.circle?.center;
        found = places.filter((p) => words.every((w) => `${p.name} ${p.address}`.toLowerCase().includes(w)))
          .map((p) => [center ? distance(center, p) : 0, p]);
      } else {
        return error(res, 404, 'NOT_FOUND', 'unknown method');
      }
      found.sort((a, b) => a[0] - b[0]);
      const list = found.slice(0, 20).map(([, p]) => ({
        id: p.id, displayName: { text: p.name, languageCode: 'en' }, formattedAddress: p.address,
        location: { latitude: p.latitude, longitude: p.longitude },
      }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(list.length ? { places: list } : {}));
    });
  });
  server.listen(port, '127.0.0.1');
  return { stats, close: () => server.close() };
}
