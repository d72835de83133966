// Browser tests of the MotoVaultPro SPA: Debian's chromium (headless) driven by playwright-core against
// the real backend that scripts/e2e.sh starts on a fresh database. The steps run in order in one
// browser (each needs the state the previous one left); each is reported as passed or failed, and the
// run ends with a `e2e: N passed, N failed` line and a non-zero exit code on any failure.
//
// Environment: BASE_URL (the backend serving the SPA), OUTBOX_DIR (<data dir>/outbox, where the
// verification e-mail lands), SCREENSHOT_DIR (default e2e/screenshots), CHROMIUM (default /usr/bin/chromium);
// for the OIDC steps OIDC_BASE_URL (a second backend with auth.provider oidc), OIDC_ISSUER_PORT (where
// this script runs its fake issuer; that backend's auth.issuer) and OIDC_CLIENT_ID.

import { chromium } from 'playwright-core';
import { startFakeOidc } from './fake-oidc.mjs';
import { startFakePlaces } from './fake-places.mjs';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { deflateSync, gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:3001';
const OUTBOX = process.env.OUTBOX_DIR;
const SHOTS = process.env.SCREENSHOT_DIR ?? join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!OUTBOX) throw new Error('OUTBOX_DIR is required');
mkdirSync(SHOTS, { recursive: true });

const email = `driver-${Date.now()}@example.com`;
const password = 'correct horse battery';
const state = {};
const results = [];
const problems = []; // page errors and CSP violations seen during the run

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

async function text(page, selector) {
  return (await page.locator(selector).first().innerText()).trim();
}

async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}: ${e.message.split('\n')[0]}`);
    if (state.page) {
      await state.page.screenshot({ path: join(SHOTS, `failure-${results.length}.png`) }).catch(() => {});
    }
  }
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  // playwright gives every launch a new, empty profile directory of its own.
});
const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
context.setDefaultTimeout(15000);
const page = await context.newPage();
state.page = page;
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
if (process.env.E2E_DEBUG) {
  page.on('framenavigated', (f) => console.log(`     nav ${f.url()}`));
  page.on('request', (r) => r.url().includes('/api/') && console.log(`     ${r.method()} ${r.url()}`));
}
page.on('console', (m) => {
  if (m.type() === 'error' && /Content Security Policy|panicked|RuntimeError/i.test(m.text())) {
    problems.push(`console: ${m.text()}`);
  }
});

// A small solid-colour PNG, made here so the test needs no fixture file.
function png(width, height, [r, g, b]) {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const byte of buf) c = table[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => [r, g, b]).flat())]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header),
    chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}

async function selectWhenLoadedOn(p, selector, value) {
  await p.waitForSelector(`${selector} option[value="${value}"]`, { state: 'attached' });
  await p.selectOption(selector, value);
}

async function selectWhenLoaded(selector, value) {
  await page.waitForSelector(`${selector} option[value="${value}"]`, { state: 'attached' });
  await page.selectOption(selector, value);
}

async function addFillUp({ date, odometer, gallons, mode, price }) {
  await page.goto(`${BASE}/vehicles/${state.vehicleId}/fuel/new`);
  await page.waitForSelector('#fuelUnits');
  await page.fill('#dateTime', date);
  await page.fill('#odometerReading', String(odometer));
  await page.fill('#fuelUnits', String(gallons));
  await page.check(`input[name="priceMode"][value="${mode}"]`);
  await page.fill('#price', String(price));
  await page.click('button[type="submit"]');
  await page.waitForURL(/\/vehicles\/[^/]+\?tab=fuel$/);
}

await step('signed-out visitor is sent to sign-in', async () => {
  await page.goto(`${BASE}/`);
  await page.waitForURL(/\/sign-in/);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  // The first, uncached load: what the app costs over the wire.
  const wire = await page.evaluate(() => performance.getEntriesByType('resource')
    .filter((r) => /\.(wasm|js|css)$/.test(r.name))
    .map((r) => ({ name: r.name.split('/').pop(), transfer: r.transferSize, body: r.decodedBodySize })));
  const sum = (k) => wire.reduce((a, r) => a + r[k], 0);
  const coldFcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime);
  console.log(`     first load: ${wire.length} files, ${sum('transfer')} bytes over the wire, ${sum('body')} decoded; first contentful paint ${coldFcp?.toFixed(0)} ms (cold cache)`);
});

await step('sign up with the terms accepted', async () => {
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.fill('#email', email);
  await page.fill('#password', password);
  // The terms checkbox is required on the client first.
  await page.click('button[type="submit"]');
  await page.locator('#acceptTerms-error').filter({ hasText: 'Accept the terms' }).waitFor();
  await page.screenshot({ path: join(SHOTS, 'sign-up-errors-1440x900.png') });
  await page.check('#acceptTerms');
  await page.click('button[type="submit"]');
  await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
});

await step('verify the e-mail address through the link in the outbox', async () => {
  let link;
  for (let i = 0; i < 50 && !link; i++) {
    for (const f of readdirSync(OUTBOX)) {
      const msg = JSON.parse(readFileSync(join(OUTBOX, f), 'utf8'));
      if (msg.to === email && msg.kind === 'verify_email') link = msg.text.match(/https?:\/\/\S*verify-email\?token=[\w.~%-]+/)?.[0];
    }
    if (!link) await new Promise((r) => setTimeout(r, 100));
  }
  assert(link, 'no verification link in the outbox');
  await page.goto(link);
  await page.locator('[data-verified="true"]').waitFor();
});

await step('sign in leads to onboarding', async () => {
  await page.goto(`${BASE}/sign-in`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('button[type="submit"]');
  await page.waitForURL(/\/onboarding$/);
});

await step('onboarding: preferences, first vehicle through the cascade, done', async () => {
  await selectWhenLoaded('#unitSystem', 'imperial');
  await selectWhenLoaded('#currencyCode', 'USD');
  await selectWhenLoaded('#timeZone', 'America/Chicago');
  await page.click('button[type="submit"]');
  await page.getByRole('heading', { name: 'Add your first vehicle' }).waitFor();
  await selectWhenLoaded('#year', '2024');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(SHOTS, 'onboarding-vehicle-390x844.png'), fullPage: true });
  await page.setViewportSize({ width: 1440, height: 900 });
  await selectWhenLoaded('#make', 'Honda');
  await selectWhenLoaded('#model', 'Civic');
  await page.waitForFunction(() => document.querySelectorAll('#trimLevel option').length > 1);
  const trim = await page.$eval('#trimLevel option:nth-child(2)', (o) => o.value);
  await page.selectOption('#trimLevel', trim);
  state.trim = trim;
  await page.fill('#nickname', 'Blue Civic');
  await page.fill('#odometerReading', '12000');
  await page.click('button[type="submit"]');
  await page.getByRole('heading', { name: 'All set' }).waitFor();
  await page.getByRole('button', { name: 'Go to the dashboard' }).click();
  await page.waitForURL(`${BASE}/`);
  const card = page.locator('[data-vehicle]').first();
  await card.waitFor();
  state.vehicleId = await card.getAttribute('data-vehicle');
  assert((await card.innerText()).includes('Blue Civic'), 'the dashboard card does not name the vehicle');
});

await step('add three fill-ups (unit price and total)', async () => {
  // Dates relative to today (the API refuses fill-ups in the future), at 08:00 in the user's zone.
  const day = (ago) => new Date(Date.now() - ago * 86400000).toISOString().slice(0, 10) + 'T08:00';
  await addFillUp({ date: day(27), odometer: 12000, gallons: 10, mode: 'unit', price: 3.5 });
  await addFillUp({ date: day(18), odometer: 12300, gallons: 10, mode: 'total', price: 36 });
  await addFillUp({ date: day(8), odometer: 12620, gallons: 10, mode: 'unit', price: 3.6 });
  const rows = page.locator('table.logs tbody tr');
  await rows.nth(2).waitFor();
  assert((await rows.count()) === 3, `expected 3 rows, saw ${await rows.count()}`);
  // Entered at 08:00 in the user's zone (America/Chicago), shown back at 08:00 whatever the browser's zone.
  const dates = await rows.locator('td:first-child').allInnerTexts();
  assert(dates.every((d) => d.endsWith('08:00')), `times not in the user's zone: ${dates}`);
});

await step('economy per row and on average, and the charts', async () => {
  // 300 mi on 10 gal = 30 mpg, 320 mi on 10 gal = 32 mpg; together 620 mi on 20 gal = 31 mpg.
  const economies = await page.locator('table.logs [data-testid="row-economy"]').allInnerTexts();
  assert(economies.includes('30.00 mpg') && economies.includes('32.00 mpg'), `row economies: ${economies}`);
  const avg = await text(page, '[data-testid="avg-economy"]');
  assert(avg === '31.00 mpg', `average economy: ${avg}`);
  const total = await text(page, '[data-testid="total-cost"]');
  assert(total === '$107.00', `total cost: ${total}`);
  await page.locator('nav.tabs').getByRole('link', { name: 'Charts' }).click();
  const chart = page.locator('[data-testid="economy-chart"] svg');
  await chart.waitFor();
  assert((await chart.locator('circle').count()) === 2, 'the economy chart should have 2 points');
  const labels = await chart.locator('text.value').allTextContents();
  assert(labels.includes('30.0 mpg') && labels.includes('32.0 mpg'), `chart labels: ${labels}`);
  assert((await chart.locator('text.axis-unit').textContent()) === 'mpg', 'the chart axis has no unit');
  assert((await page.locator('[data-testid="cost-chart"] svg rect').count()) >= 1, 'no monthly cost bars');
});

await step('an API validation error appears next to its field and the typed values stay', async () => {
  await page.goto(`${BASE}/vehicles/${state.vehicleId}/fuel/new`);
  await page.waitForSelector('#fuelUnits');
  // Lower than the last fill-up's 12,620: only the API knows, so this is its 400 with details.
  await page.fill('#odometerReading', '12100');
  await page.fill('#fuelUnits', '5.5');
  await page.fill('#price', '3.25');
  await page.fill('#locationName', 'Typed Station');
  await page.click('button[type="submit"]');
  const err = page.locator('[data-field="odometerReading"] .field-error');
  await err.filter({ hasText: /\S/ }).waitFor();
  assert(/odometer|lower|earlier/i.test(await err.innerText()), `unexpected message: ${await err.innerText()}`);
  assert(await page.getAttribute('#odometerReading', 'aria-invalid') === 'true', 'the field is not marked invalid');
  assert(await page.inputValue('#odometerReading') === '12100', 'odometer value lost');
  assert(await page.inputValue('#fuelUnits') === '5.5', 'fuel value lost');
  assert(await page.inputValue('#price') === '3.25', 'price value lost');
  assert(await page.inputValue('#locationName') === 'Typed Station', 'station value lost');
  assert(page.url().endsWith('/fuel/new'), 'left the form after an error');
  assert(await page.isEnabled('button[type="submit"]'), 'submit stayed disabled');
});

await step('edit a fill-up: the form starts from what was saved', async () => {
  await page.goto(`${BASE}/vehicles/${state.vehicleId}?tab=fuel`);
  const newest = page.locator('table.logs tbody tr').first();
  await newest.getByRole('link', { name: 'Edit' }).click();
  await page.waitForURL(/\/fuel\/[0-9a-f-]{36}\/edit$/);
  await page.waitForSelector('#odometerReading');
  assert(await page.inputValue('#odometerReading') === '12620', `odometer ${await page.inputValue('#odometerReading')}`);
  assert(await page.isChecked('input[name="priceMode"][value="total"]'), 'an edit should start from the total');
  assert(await page.inputValue('#price') === '36', `total ${await page.inputValue('#price')}`);
  await page.fill('#price', '37.00');
  await page.click('button[type="submit"]');
  await page.waitForURL(/\?tab=fuel$/);
  await page.locator('table.logs tbody tr').first().filter({ hasText: '$37.00' }).waitFor();
  assert((await text(page, '[data-testid="total-cost"]')) === '$108.00', 'the total spent did not follow the edit');
});

await step('maintenance: schedule from a template, a record, the schedule status', async () => {
  await page.goto(`${BASE}/vehicles/${state.vehicleId}?tab=maintenance`);
  await selectWhenLoaded('#template', 'oil_change');
  await page.getByRole('button', { name: 'Add schedule' }).click();
  const schedule = page.locator('[data-schedule]').first();
  await schedule.waitFor();
  await page.check('#subtype-engine-oil');
  await page.check('#subtype-oil-filter');
  await page.fill('#cost', '59.90');
  await page.fill('#shopName', 'Corner Garage');
  await page.getByRole('button', { name: 'Add record' }).click();
  await page.locator('[data-record]').first().waitFor();
  assert((await page.locator('[data-record]').first().innerText()).includes('$59.90'), 'record cost not shown');
  // The record covers the schedule's subtypes, so its last service moves to today: status ok.
  await page.waitForFunction(() => document.querySelector('[data-schedule] [data-status]')?.getAttribute('data-status') === 'ok');
  const due = await schedule.innerText();
  assert(/due .*(in \d+ days|at [\d,]+ mi)/.test(due), `no due text: ${due}`);
  state.scheduleText = due;
});

await step('dashboard: first meaningful paint and the card facts', async () => {
  await page.goto(`${BASE}/`);
  await page.locator('[data-vehicle]').first().waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="avg-economy"]')?.textContent.includes('mpg'));
  const fmp = await page.evaluate(() => {
    const mark = performance.getEntriesByName('mvp-dashboard-ready')[0];
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return { fmp: mark?.startTime, fcp: fcp?.startTime };
  });
  assert(typeof fmp.fmp === 'number', 'no dashboard-ready mark');
  console.log(`     first meaningful paint (dashboard cards rendered): ${fmp.fmp.toFixed(0)} ms; first contentful paint: ${fmp.fcp?.toFixed(0)} ms`);
  state.fmp = fmp;
  await page.locator('[data-vehicle] [data-status]').first().waitFor();
  const card = await page.locator('[data-vehicle]').first().innerText();
  assert(card.includes('31.00 mpg'), `card economy: ${card}`);
  assert(/OK/.test(card), 'card does not show the next maintenance status');
});

await step('screenshots at 390×844 and 1440×900', async () => {
  for (const [w, h] of [[390, 844], [1440, 900]]) {
    await page.setViewportSize({ width: w, height: h });
    await page.goto(`${BASE}/`);
    await page.waitForFunction(() => document.querySelector('[data-testid="avg-economy"]')?.textContent.includes('mpg'));
    await page.screenshot({ path: join(SHOTS, `dashboard-${w}x${h}.png`), fullPage: true });
    await page.goto(`${BASE}/vehicles/${state.vehicleId}?tab=fuel`);
    await page.locator('[data-testid="avg-economy"]').waitFor();
    await page.screenshot({ path: join(SHOTS, `vehicle-detail-${w}x${h}.png`), fullPage: true });
    await page.goto(`${BASE}/vehicles/${state.vehicleId}?tab=charts`);
    await page.locator('[data-testid="economy-chart"] svg').waitFor();
    await page.screenshot({ path: join(SHOTS, `vehicle-charts-${w}x${h}.png`), fullPage: true });
    await page.goto(`${BASE}/vehicles/${state.vehicleId}/fuel/new`);
    await page.waitForSelector('#fuelUnits');
    await page.screenshot({ path: join(SHOTS, `fuel-form-${w}x${h}.png`), fullPage: true });
    await page.goto(`${BASE}/vehicles/${state.vehicleId}?tab=maintenance`);
    await page.locator('[data-schedule]').first().waitFor();
    await page.screenshot({ path: join(SHOTS, `vehicle-maintenance-${w}x${h}.png`), fullPage: true });
    await page.goto(`${BASE}/vehicles/${state.vehicleId}/edit`);
    await page.waitForSelector('#make');
    await page.screenshot({ path: join(SHOTS, `vehicle-form-${w}x${h}.png`), fullPage: true });
  }
});

await step('every form control has a label', async () => {
  const unlabelled = [];
  for (const path of [`/vehicles/${state.vehicleId}/fuel/new`, `/vehicles/${state.vehicleId}/edit`,
    `/vehicles/${state.vehicleId}?tab=maintenance`, '/preferences']) {
    await page.goto(`${BASE}${path}`);
    await page.waitForSelector('form');
    await page.waitForLoadState('networkidle');
    unlabelled.push(...(await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
      .filter((e) => e.type !== 'hidden' && e.labels.length === 0 && !e.getAttribute('aria-label'))
      .map((e) => `${location.pathname}#${e.id || e.name}`))));
  }
  assert(unlabelled.length === 0, `unlabelled: ${unlabelled.join(', ')}`);
});

await step('switch to metric: every number is converted', async () => {
  await page.goto(`${BASE}/preferences`);
  await selectWhenLoaded('#unitSystem', 'metric');
  await page.click('button[type="submit"]');
  await page.locator('.toast.success').filter({ hasText: 'Preferences saved' }).waitFor();
  await page.goto(`${BASE}/vehicles/${state.vehicleId}?tab=fuel`);
  await page.waitForFunction(() => document.querySelector('[data-testid="avg-economy"]')?.textContent.includes('L/100'));
  // Expected from the imperial figures with the legal factors, not from the app.
  const km = 620 * 1.609344;
  const litres = 20 * 3.785411784; // the two fills that close an interval
  const l100 = (litres / km) * 100;
  const allLitres = 30 * 3.785411784;
  const avg = await text(page, '[data-testid="avg-economy"]');
  assert(avg === `${l100.toFixed(2)} L/100 km`, `metric average ${avg}, expected ${l100.toFixed(2)}`);
  const dist = await text(page, '[data-testid="total-distance"]');
  assert(dist === `${Math.round(km).toLocaleString('en-US')} km`, `distance ${dist}`);
  const fuel = await text(page, '[data-testid="total-fuel"]');
  assert(fuel === `${allLitres.toFixed(3)} L`, `fuel ${fuel}`);
  const odo = await page.locator('table.logs tbody tr').first().locator('td').nth(1).innerText();
  assert(odo === `${Math.round(12620 * 1.609344).toLocaleString('en-US')} km`, `odometer row ${odo}`);
  const head = await page.locator('[data-testid="vehicle-odometer"]').filter({ hasText: 'km' }).innerText();
  assert(head === odo, `vehicle header odometer ${head}`);
  await page.goto(`${BASE}/`);
  const card = page.locator('[data-testid="card-odometer"]').filter({ hasText: 'km' });
  await card.waitFor();
  assert((await card.innerText()) === odo, `dashboard odometer ${await card.innerText()}`);
});

await step('add a vehicle by decoding its VIN, with a photo; delete it after confirming', async () => {
  await page.goto(`${BASE}/vehicles/new`);
  await page.fill('#vin', '1HGCM82633A004352');
  await page.getByRole('button', { name: 'Decode VIN' }).click();
  await page.waitForFunction(() => document.querySelector('#make')?.value === 'Honda');
  assert(await page.inputValue('#year') === '2003', `year ${await page.inputValue('#year')}`);
  assert(await page.inputValue('#model') === 'Accord', `model ${await page.inputValue('#model')}`);
  await page.setInputFiles('#image', { name: 'accord.png', mimeType: 'image/png', buffer: png(96, 64, [200, 40, 40]) });
  await page.locator('img.preview').waitFor();
  await page.click('button[type="submit"]');
  await page.waitForURL(/\/vehicles\/[0-9a-f-]{36}$/);
  const photo = page.locator('.vehicle-head img.photo');
  await photo.waitFor();
  assert((await photo.getAttribute('src')).startsWith('blob:'), 'the photo is not shown');
  await page.screenshot({ path: join(SHOTS, 'vehicle-with-photo-1440x900.png') });
  const accordUrl = page.url();
  // The dashboard card shows the thumbnail (`?size=thumb`), fetched with the token.
  const thumbRequest = page.waitForRequest((r) => r.url().includes('/image?size=thumb'));
  await page.goto(`${BASE}/`);
  await thumbRequest;
  const thumb = page.locator('[data-vehicle] img.thumb').first();
  await thumb.waitFor();
  assert((await thumb.getAttribute('src')).startsWith('blob:'), 'no thumbnail on the dashboard');
  assert(await thumb.evaluate((img) => img.complete && img.naturalWidth > 0), 'the thumbnail did not load');
  // The photo removed from the edit form: the page shows the placeholder, the API has no image.
  await page.goto(`${accordUrl}/edit`);
  await page.getByRole('button', { name: 'Remove the current photo' }).click();
  await page.locator('.toast.success').filter({ hasText: 'Photo removed' }).waitFor();
  await page.goto(accordUrl);
  await page.locator('.vehicle-head').waitFor();
  await page.locator('[data-testid="vehicle-odometer"]').waitFor();
  assert(await page.locator('.vehicle-head img.photo').count() === 0, 'the removed photo is still shown');
  const accordId = accordUrl.split('/').pop();
  const image = await api('GET', `/api/vehicles/${accordId}/image`);
  assert(image.status === 404, `the image after removal: ${image.status}`);
  await page.goto(accordUrl);
  await page.locator('.vehicle-head').getByRole('button', { name: 'Delete' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  assert(!(await dialog.isVisible()), 'the dialog did not close');
  await page.locator('.vehicle-head').getByRole('button', { name: 'Delete' }).click();
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await page.waitForURL(/\/vehicles$/);
  await page.locator('.vehicle-card').first().waitFor();
  const names = await page.locator('.vehicle-card').allInnerTexts();
  assert(names.length === 1 && !names[0].includes('Accord'), `vehicles after delete: ${names}`);
});

await step('dark mode', async () => {
  await page.goto(`${BASE}/preferences`);
  await page.waitForSelector('#darkMode');
  await page.check('#darkMode');
  await page.click('button[type="submit"]');
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${BASE}/vehicles/${state.vehicleId}?tab=charts`);
  await page.locator('[data-testid="economy-chart"] svg').waitFor();
  await page.screenshot({ path: join(SHOTS, 'vehicle-charts-dark-390x844.png'), fullPage: true });
  await page.setViewportSize({ width: 1440, height: 900 });
});

// The API as this user, from here (the SPA's session lives in the page; this is a second sign-in).
async function api(method, path, body) {
  if (!state.token) {
    const login = await fetch(`${BASE}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }) });
    state.token = (await login.json()).accessToken;
  }
  return fetch(`${BASE}${path}`, { method, body: body && JSON.stringify(body),
    headers: { authorization: `Bearer ${state.token}`, 'content-type': 'application/json' } });
}

async function outboxMessages(kind) {
  return readdirSync(OUTBOX).map((f) => JSON.parse(readFileSync(join(OUTBOX, f), 'utf8'))).filter((m) => m.kind === kind);
}

await step('notifications: the bell counts what is due, the centre lists it, marking read counts down', async () => {
  // An overdue coolant change (last done 400 days ago, every 12 months).
  const last = new Date(Date.now() - 400 * 86400e3).toISOString().slice(0, 10);
  const created = await api('POST', '/api/maintenance/schedules', { vehicleId: state.vehicleId,
    category: 'routine_maintenance', subtypes: ['Coolant'], intervalMonths: 12, lastServiceDate: last, emailNotifications: true });
  assert(created.status === 201, `schedule: ${created.status}`);
  // This backend runs the reminder job every 2 s; the bell loads the summary when the app starts.
  let count = 0;
  for (let i = 0; i < 15 && !count; i++) {
    await page.goto(`${BASE}/`);
    await page.locator('[data-vehicle]').first().waitFor();
    const badge = page.locator('[data-testid="unread-count"]');
    await badge.waitFor({ timeout: 2000 }).catch(() => {});
    count = Number((await badge.count()) ? await badge.innerText() : 0);
  }
  assert(count >= 1, 'the bell shows no unread reminder');
  await page.getByRole('button', { name: /Notifications \(\d+ unread\)/ }).click();
  const due = page.locator('.bell-panel [data-due]').filter({ hasText: 'Coolant' });
  await due.waitFor();
  assert((await due.innerText()).includes('Overdue'), `bell entry: ${await due.innerText()}`);
  await page.screenshot({ path: join(SHOTS, 'bell-1440x900.png') });
  await page.getByRole('link', { name: 'Open the notification centre' }).click();
  await page.waitForURL(/\/notifications$/);
  const entry = page.locator('[data-notification][data-unread="true"]').filter({ hasText: 'Coolant' });
  await entry.waitFor();
  assert((await entry.innerText()).includes('Overdue on'), `centre entry: ${await entry.innerText()}`);
  await page.screenshot({ path: join(SHOTS, 'notifications-1440x900.png') });
  await entry.getByRole('button', { name: 'Mark read' }).click();
  await page.waitForFunction((before) => {
    const badge = document.querySelector('[data-testid="unread-count"]');
    return (badge ? Number(badge.textContent) : 0) === before - 1;
  }, count);
  // The reminder also went out as e-mail (the outbox transport of this backend).
  let mails = [];
  for (let i = 0; i < 50 && !mails.length; i++) {
    mails = (await outboxMessages('maintenance_overdue')).filter((m) => m.to === email);
    if (!mails.length) await new Promise((r) => setTimeout(r, 100));
  }
  assert(mails.length === 1 && mails[0].subject.includes('Coolant'), `overdue mails: ${JSON.stringify(mails)}`);
});

await step('profile: display name and notification e-mail are saved', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${BASE}/profile`);
  await page.waitForSelector('#displayName');
  assert((await text(page, '[data-testid="signin-email"]')) === email, 'sign-in e-mail not shown');
  state.alerts = `alerts-${email}`;
  await page.fill('#notificationEmail', 'not-an-address');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.locator('#notificationEmail-error').filter({ hasText: /.+/ }).waitFor();
  await page.fill('#displayName', 'Jo Driver');
  await page.fill('#notificationEmail', state.alerts);
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.locator('[data-testid="reminder-address"]').filter({ hasText: state.alerts }).waitFor();
  await page.reload();
  await page.waitForSelector('#displayName');
  await page.waitForFunction(() => document.querySelector('#displayName').value === 'Jo Driver');
  assert((await page.inputValue('#notificationEmail')) === state.alerts, 'notification e-mail not kept');
  await page.screenshot({ path: join(SHOTS, 'profile-390x844.png'), fullPage: true });
  await page.setViewportSize({ width: 1440, height: 900 });
});

await step('reminder settings: a plain-http push URL is refused by its field; a test message arrives', async () => {
  await page.goto(`${BASE}/profile`);
  await page.waitForSelector('#ntfyUrl');
  await page.fill('#ntfyUrl', 'http://ntfy.example.com/garage');
  await page.getByRole('button', { name: 'Save reminder settings' }).click();
  await page.locator('#ntfyUrl-error').filter({ hasText: 'https' }).waitFor();
  await page.fill('#ntfyUrl', '');
  await page.fill('#dueSoonDays', '45');
  await page.getByRole('button', { name: 'Save reminder settings' }).click();
  await page.locator('.toast').filter({ hasText: 'Reminder settings saved' }).waitFor();
  const saved = await (await api('GET', '/api/user/notification-settings')).json();
  assert(saved.dueSoonDays === 45 && saved.ntfyUrl === null && saved.email === true, `settings: ${JSON.stringify(saved)}`);
  await page.getByRole('button', { name: 'Send a test message' }).click();
  await page.locator('.toast').filter({ hasText: 'Test message sent to email' }).waitFor();
  let mails = [];
  for (let i = 0; i < 50 && !mails.length; i++) {
    mails = (await outboxMessages('test_message')).filter((m) => m.to === state.alerts);
    if (!mails.length) await new Promise((r) => setTimeout(r, 100));
  }
  assert(mails.length === 1, `test mails to ${state.alerts}: ${mails.length}`);
});

await step('calendar: the feed address is copied, serves the due date, and can be replaced', async () => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  await page.goto(`${BASE}/profile`);
  await page.waitForSelector('#calendarUrl');
  const url = await page.inputValue('#calendarUrl');
  assert(/\/api\/calendar\/[\w-]+\.ics$/.test(url), `calendar url: ${url}`);
  await page.getByRole('button', { name: 'Copy', exact: true }).click();
  await page.locator('.toast').filter({ hasText: 'Calendar address copied' }).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert(copied === url, `clipboard: ${copied}`);
  const feed = await fetch(url);
  const ics = await feed.text();
  assert(feed.status === 200 && feed.headers.get('content-type').startsWith('text/calendar'), `feed: ${feed.status}`);
  assert(ics.startsWith('BEGIN:VCALENDAR') && ics.includes('SUMMARY:Coolant due'), 'the feed lacks the coolant date');
  await page.getByRole('button', { name: 'Replace the address' }).click();

  await page.getByRole('dialog').getByRole('button', { name: 'Replace' }).click();
  await page.waitForFunction((old) => document.querySelector('#calendarUrl')?.value !== old, url);
  assert((await fetch(url)).status === 404, 'the old calendar address still works');
  assert((await fetch(await page.inputValue('#calendarUrl'))).status === 200, 'the new address does not work');
});

// --- Gas stations (a fake Google Places API on PLACES_PORT, which the backend is pointed at) ----------
const HERE = { latitude: 39.9526, longitude: -75.1652 };
const offset = (north, east) => ({ latitude: HERE.latitude + (north / 6371008.8) * 180 / Math.PI,
  longitude: HERE.longitude + (east / (6371008.8 * Math.cos(HERE.latitude * Math.PI / 180))) * 180 / Math.PI });
const places = process.env.PLACES_PORT && startFakePlaces({ port: Number(process.env.PLACES_PORT), key: process.env.PLACES_KEY,
  places: [
    { id: 'ChIJe2eShell', name: 'Shell', address: '1400 N Broad St, Philadelphia', ...offset(800, 0) },
    { id: 'ChIJe2eSunoco', name: 'Sunoco', address: '22 Market St, Philadelphia', ...offset(0, 2000) },
    { id: 'ChIJe2eWawa', name: 'Wawa', address: '9 Far Rd, Philadelphia', ...offset(-30000, 0) },
  ] });

await step('stations: near the device\'s location, nearest first; a favourite saved; a price reported', async () => {
  assert(places, 'PLACES_PORT is not set');
  await context.grantPermissions(['geolocation'], { origin: BASE });
  await context.setGeolocation(HERE);
  await page.goto(`${BASE}/stations`);
  await page.locator('[data-testid="located"]').waitFor();
  const rows = page.locator('.station-list > li');
  await rows.nth(1).waitFor();
  const ids = await rows.evaluateAll((els) => els.map((e) => e.dataset.placeId));
  assert(JSON.stringify(ids) === JSON.stringify(['ChIJe2eShell', 'ChIJe2eSunoco']), `stations: ${ids}`);
  const metric = await page.evaluate(() => document.body.innerText.includes('km'));
  const first = await rows.first().locator('.station-distance').innerText();
  assert(/^(0\.5 mi|800 m)$/.test(first), `distance of the nearest: ${first} (metric ${metric})`);
  assert((await rows.first().locator('a', { hasText: 'Open in maps' }).getAttribute('href')).includes('query_place_id=ChIJe2eShell'), 'maps link');
  const sunoco = page.locator('.station-list > li[data-place-id="ChIJe2eSunoco"]');
  await sunoco.getByRole('button', { name: '☆ Favourite' }).click();
  await page.locator('.toast').filter({ hasText: 'Added to favourites' }).waitFor();
  await page.locator('.saved-list li[data-saved="ChIJe2eSunoco"]').filter({ hasText: '★' }).waitFor();
  const shell = page.locator('.station-list > li[data-place-id="ChIJe2eShell"]');
  await shell.getByRole('button', { name: 'Report a price' }).click();
  await shell.locator('#priceFuelType').selectOption('regular');
  await shell.locator('#price').fill('3.459');
  await shell.getByRole('button', { name: 'Report price' }).click();
  await page.locator('.toast').filter({ hasText: 'Price reported' }).waitFor();
  await page.locator('.station-list > li[data-place-id="ChIJe2eShell"] .prices li[data-fuel="regular"]').filter({ hasText: '3.459' }).waitFor();
  assert(places.stats.calls === 1, `Google was called ${places.stats.calls} times; the reloads should hit the cache`);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(SHOTS, 'stations-390.png'), fullPage: true });
  await page.setViewportSize({ width: 1440, height: 900 });
});

await step('stations: a missing station is reported and shown to its reporter as pending', async () => {
  await page.getByRole('button', { name: 'Report a station that is missing' }).click();
  await page.fill('.report-station #name', 'Corner Fuel');
  await page.fill('.report-station #address', '5 Spring Garden St, Philadelphia');
  assert((await page.inputValue('.report-station #latitude')).startsWith('39.95'), 'the location is not prefilled');
  await page.check('.report-station input[name="fuelTypes"][value="diesel"]');
  await page.getByRole('button', { name: 'Report station' }).click();
  await page.locator('.toast').filter({ hasText: 'Station reported' }).waitFor();
  await page.locator('.station-list > li[data-source="community"]').filter({ hasText: 'pending review' }).waitFor();
  await page.locator('.report-list [data-status="pending"]').waitFor();
});

await step('stations: with Google down the page says so and still lists community stations', async () => {
  await fetch(`http://127.0.0.1:${process.env.PLACES_PORT}/__fail`, { method: 'POST', body: JSON.stringify({ status: 503 }) });
  const radius = page.locator('#radius');
  const values = await radius.locator('option').evaluateAll((os) => os.map((o) => o.value));
  await radius.selectOption(values[values.length - 1]);
  await page.locator('[data-testid="degraded"]').waitFor();
  const ids = await page.locator('.station-list > li').evaluateAll((els) => els.map((e) => e.dataset.source));
  assert(ids.includes('community'), `sources while Google is down: ${ids}`);
});

await step('fill-up form: the favourite station first in the picker; the fill-up shows it', async () => {
  await page.goto(`${BASE}/vehicles/${state.vehicleId}/fuel/new`);
  await page.waitForSelector('#stationId option[value="ChIJe2eSunoco"]', { state: 'attached' });
  const labels = await page.locator('#stationId option').allInnerTexts();
  assert(labels[0] === '— none —' && labels[1] === '★ Sunoco', `picker: ${labels}`);
  await page.selectOption('#stationId', 'ChIJe2eSunoco');
  assert(await page.inputValue('#locationName') === 'Sunoco', 'picking a station did not fill the place');
  await page.fill('#dateTime', new Date(Date.now() - 86400e3).toISOString().slice(0, 10) + 'T08:00');
  await page.fill('#odometerReading', '99999');
  await page.fill('#fuelUnits', '9');
  await page.check('input[name="priceMode"][value="unit"]');
  await page.fill('#price', '3.2');
  await page.click('button[type="submit"]');
  await page.waitForURL(/\?tab=fuel$/);
  await page.locator('table.logs tbody td[data-station="ChIJe2eSunoco"]').filter({ hasText: 'Sunoco' }).waitFor();
});

await step('documents: a PDF and a photo uploaded with progress, previewed, downloaded byte-identical, one deleted', async () => {
  await page.goto(`${BASE}/vehicles/${state.vehicleId}?tab=documents`);
  await page.locator('#file').waitFor({ state: 'attached' });
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n%\xe2\xe3\n1 0 obj << /Type /Catalog >> endobj\n'), Buffer.alloc(1_500_000, 0x20),
    Buffer.from('\ntrailer << /Root 1 0 R >>\n%%EOF\n')]);
  // The upload is slowed to ~400 KB/s (the browser's own network throttling), so the bar shows the
  // body going out; then the speed is restored.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 400 * 1024 });
  try {
    await page.setInputFiles('#file', { name: 'policy-2026.pdf', mimeType: 'application/pdf', buffer: pdf });
    assert(await page.inputValue('#title') === 'policy-2026', 'the title is not taken from the file name');
    await page.fill('#title', 'Insurance policy');
    await page.fill('#expirationDate', new Date(Date.now() + 20 * 86400e3).toISOString().slice(0, 10));
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.waitForFunction(() => {
      const bar = document.querySelector('.progress progress');
      return bar && Number(bar.value) > 0 && Number(bar.value) < 100;
    });
    await page.screenshot({ path: join(SHOTS, 'documents-upload-1440x900.png') });
    await page.locator('.toast').filter({ hasText: 'Insurance policy uploaded' }).waitFor();
  } finally {
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.detach();
  }
  const policy = page.locator('li[data-document="Insurance policy"]');
  await policy.locator('[data-expiry^="Expires in"]').waitFor();

  const photo = png(64, 48, [200, 40, 40]);
  await page.selectOption('#documentType', 'registration');
  await page.setInputFiles('#file', { name: 'registration.png', mimeType: 'image/png', buffer: photo });
  await page.fill('#title', 'Registration card');
  await page.fill('#expirationDate', new Date(Date.now() - 3 * 86400e3).toISOString().slice(0, 10));
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  const card = page.locator('li[data-document="Registration card"]');
  await card.locator('[data-expiry^="Expired"]').waitFor();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(SHOTS, 'documents-390x844.png'), fullPage: true });
  await page.setViewportSize({ width: 1440, height: 900 });

  await card.getByRole('button', { name: 'Preview' }).click();
  const shown = page.locator('.modal.preview img.document-view');
  await shown.waitFor();
  await page.waitForFunction(() => document.querySelector('.modal.preview img')?.naturalWidth === 64);
  await page.screenshot({ path: join(SHOTS, 'documents-preview-1440x900.png') });
  await page.getByRole('button', { name: 'Close' }).click();
  await policy.getByRole('button', { name: 'Preview' }).click();
  const frame = page.locator('.modal.preview iframe.document-view');
  await frame.waitFor();
  assert((await frame.getAttribute('src')).startsWith('blob:'), 'the PDF is not shown from its bytes');
  await page.getByRole('button', { name: 'Close' }).click();

  for (const [row, sent] of [[policy, pdf], [card, photo]]) {
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'Download' }).click()]);
    const got = readFileSync(await download.path());
    const sha = (b) => createHash('sha256').update(b).digest('hex');
    assert(sha(got) === sha(sent), `${download.suggestedFilename()}: the download differs from the upload`);
  }

  await card.getByRole('button', { name: 'Delete' }).click();
  await page.locator('.modal').getByRole('button', { name: 'Delete' }).click();
  await card.waitFor({ state: 'detached' });
  await policy.waitFor();
});

// A picture of printed text, made by the browser itself (a page with the text, screenshotted).
async function picture(lines, width = 720) {
  const art = await context.newPage();
  await art.setViewportSize({ width, height: 60 + lines.length * 56 });
  await art.setContent(`<body style="margin:0;background:#fff"><pre style="margin:24px;font:bold 34px/56px 'DejaVu Sans Mono',monospace;color:#000">${lines.join('\n')}</pre></body>`);
  const shot = await art.screenshot();
  await art.close();
  return shot;
}

await step('scan a receipt into the fill-up form, check the marks, save it with the receipt kept', async () => {
  // Today in the driver's time zone, as a US receipt prints it.
  const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Chicago' }).format(new Date()).split('-');
  const receipt = await picture(['SHELL STATION #1234', `DATE ${m}/${d}/${y} 08:42`, 'GALLONS 10.123', 'PRICE/GAL $3.459', 'TOTAL $35.02']);
  await page.goto(`${BASE}/vehicles/${state.vehicleId}/fuel/new`);
  await page.waitForSelector('#fuelUnits');
  await page.setInputFiles('#scan-receipt', { name: 'receipt.png', mimeType: 'image/png', buffer: receipt });
  await page.locator('[data-scanned="fuelUnits"]').waitFor();
  assert(await page.inputValue('#fuelUnits') === '10.123', `units read: ${await page.inputValue('#fuelUnits')}`);
  assert(await page.inputValue('#price') === '35.02', `total read: ${await page.inputValue('#price')}`);
  assert((await page.inputValue('#dateTime')).startsWith(`${y}-${m}-${d}T`), 'the date was not read');
  assert(await page.inputValue('#locationName') === 'SHELL STATION #1234', 'the station was not read');
  assert(await page.isChecked('input[name="priceMode"][value="total"]'), 'the total is not taken as the total');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(SHOTS, 'fuel-scanned-390x844.png'), fullPage: true });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.screenshot({ path: join(SHOTS, 'fuel-scanned-1440x900.png'), fullPage: true });
  // Editing a scanned field takes its mark away; nothing was saved by the scan.
  await page.fill('#locationName', 'Shell on Main St');
  await page.locator('[data-scanned="locationName"]').waitFor({ state: 'detached' });
  await page.fill('#odometerReading', '100500');
  await page.click('button[type="submit"]');
  await page.waitForURL(/\?tab=fuel$/);
  await page.locator('table.logs tbody tr').filter({ hasText: 'Shell on Main St' }).waitFor();
  const docs = await (await api('GET', `/api/documents?vehicleId=${state.vehicleId}`)).json();
  assert(docs.some((doc) => doc.title === `Fuel receipt ${y}-${m}-${d}` && doc.documentType === 'receipt'), 'the receipt was not kept');
});

await step('scan a VIN plate into the vehicle form: the VIN is read and decoded', async () => {
  const plate = await picture(['VEHICLE IDENTIFICATION NUMBER', '1HGCM82633A004352'], 900);
  await page.goto(`${BASE}/vehicles/new`);
  await page.locator('#scan-vin').waitFor({ state: 'attached' });
  await page.setInputFiles('#scan-vin', { name: 'plate.png', mimeType: 'image/png', buffer: plate });
  await page.locator('[data-scanned="vin"]').waitFor();
  assert(await page.inputValue('#vin') === '1HGCM82633A004352', `VIN read: ${await page.inputValue('#vin')}`);
  await page.locator('.toast').filter({ hasText: 'VIN decoded' }).waitFor();
  await page.waitForFunction(() => document.querySelector('#make')?.value === 'Honda'
    && document.querySelector('#year')?.value === '2003');
  await page.screenshot({ path: join(SHOTS, 'vehicle-vin-scanned-1440x900.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(SHOTS, 'vehicle-vin-scanned-390x844.png'), fullPage: true });
  await page.setViewportSize({ width: 1440, height: 900 });
});

await step('scan a photographed pump receipt: every field read, each mark with its own confidence', async () => {
  // tilted, on a table, uneven light, JPEG (ocr-service/examples/fixtures.rs writes it).
  const photo = readFileSync(join(process.env.FIXTURES, 'receipt-photo.jpg'));
  await page.goto(`${BASE}/vehicles/${state.vehicleId}/fuel/new`);
  await page.waitForSelector('#fuelUnits');
  await page.setInputFiles('#scan-receipt', { name: 'receipt.jpg', mimeType: 'image/jpeg', buffer: photo });
  await page.locator('[data-scanned="fuelUnits"]').waitFor();
  assert(await page.inputValue('#fuelUnits') === '17.255', `units read: ${await page.inputValue('#fuelUnits')}`);
  assert(await page.inputValue('#price') === '60.89', `total read: ${await page.inputValue('#price')}`);
  assert((await page.inputValue('#dateTime')).startsWith('2026-02-19T'), `date read: ${await page.inputValue('#dateTime')}`);
  assert(await page.inputValue('#locationName') === 'BP #4521', `station read: ${await page.inputValue('#locationName')}`);
  for (const field of ['dateTime', 'fuelUnits', 'price', 'locationName']) {
    const mark = await page.locator(`[data-scanned="${field}"]`).textContent();
    assert(/^scanned · (check it · )?\d+ %$/.test(mark), `${field} mark: ${mark}`);
  }
  assert(await page.locator('[data-testid="scan-amounts-unsure"]').count() === 0, 'consistent amounts were flagged');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(SHOTS, 'fuel-photo-scanned-390x844.png'), fullPage: true });
  await page.setViewportSize({ width: 1440, height: 900 });
});

await step('scanned amounts that disagree: one misread digit is worked out, otherwise the user is asked to check', async () => {
  await page.goto(`${BASE}/vehicles/${state.vehicleId}/fuel/new`);
  await page.waitForSelector('#fuelUnits');
  // 10.123 × 3.459 = 35.02: a total printed 35.92 is a 0 read as 9, put right and marked so.
  const misread = await picture(['SHELL #1234', 'DATE 02/19/2026 08:42', 'GALLONS 10.123', 'PRICE/GAL $3.459', 'TOTAL $35.92']);
  await page.setInputFiles('#scan-receipt', { name: 'receipt.png', mimeType: 'image/png', buffer: misread });
  await page.locator('[data-scanned="price"]').waitFor();
  assert(await page.inputValue('#price') === '35.02', `corrected total: ${await page.inputValue('#price')}`);
  const mark = await page.locator('[data-scanned="price"]').textContent();
  assert(mark.includes('worked out from the other amounts'), `price mark: ${mark}`);
  assert(await page.locator('[data-testid="scan-amounts-unsure"]').count() === 0, 'a corrected receipt was flagged');
  // A total no single digit explains: kept as read, and the form says to check.
  const wrong = await picture(['SHELL #1234', 'DATE 02/19/2026 08:42', 'GALLONS 10.123', 'PRICE/GAL $3.459', 'TOTAL $12.34']);
  await page.setInputFiles('#scan-receipt', { name: 'receipt.png', mimeType: 'image/png', buffer: wrong });
  await page.locator('[data-testid="scan-amounts-unsure"]').waitFor();
  assert(await page.inputValue('#price') === '12.34', `total as read: ${await page.inputValue('#price')}`);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(SHOTS, 'fuel-scan-amounts-unsure-390x844.png'), fullPage: true });
  await page.setViewportSize({ width: 1440, height: 900 });
});

await step('scan a VIN label by its barcode: the VIN is exact', async () => {
  const label = readFileSync(join(process.env.FIXTURES, 'vin-label.jpg'));
  await page.goto(`${BASE}/vehicles/new`);
  await page.locator('#scan-vin').waitFor({ state: 'attached' });
  await page.setInputFiles('#scan-vin', { name: 'label.jpg', mimeType: 'image/jpeg', buffer: label });
  await page.locator('[data-scanned="vin"]').waitFor();
  assert(await page.inputValue('#vin') === '1HGCM82633A004352', `VIN read: ${await page.inputValue('#vin')}`);
  const mark = await page.locator('[data-scanned="vin"]').textContent();
  assert(mark === 'scanned · 100 %', `VIN mark: ${mark}`);
  await page.screenshot({ path: join(SHOTS, 'vehicle-vin-barcode-1440x900.png'), fullPage: true });
});

await step('maintenance: a schedule of one\'s own is added, then edited; a record is edited', async () => {
  await page.goto(`${BASE}/vehicles/${state.vehicleId}?tab=maintenance`);
  await page.getByRole('button', { name: 'Custom schedule…' }).click();
  const form = page.locator('form.schedule-form');
  await form.locator('.subtypes input[type="checkbox"]').first().waitFor();
  // Seven months: no template schedule runs on that, so the row is this one.
  const subtype = (await form.locator('.subtypes label').last().innerText()).trim();
  await form.locator('.subtypes input[type="checkbox"]').last().check();
  await page.fill('#intervalMonths', '7');
  await page.fill('#intervalDistance', '8000');
  await form.getByRole('button', { name: 'Add this schedule' }).click();
  const mine = page.locator('li[data-schedule]').filter({ hasText: subtype }).filter({ hasText: 'every 7 months' });
  await mine.waitFor();
  await mine.getByRole('button', { name: 'Edit schedule' }).click();
  await page.locator('form.schedule-form h3').filter({ hasText: 'Edit the schedule' }).waitFor();
  const months = await page.inputValue('#intervalMonths');
  assert(months === '7', `the edit form does not start from the schedule (months ${months})`);
  await page.fill('#intervalMonths', '3');
  await page.locator('form.schedule-form').getByRole('button', { name: 'Save schedule' }).click();
  await page.locator('li[data-schedule]').filter({ hasText: subtype }).filter({ hasText: 'every 3 months' }).waitFor();

  const record = page.locator('li[data-record]').first();
  await record.getByRole('button', { name: 'Edit record' }).click();
  await page.locator('form.record-form h3').filter({ hasText: 'Edit the record' }).waitFor();
  await page.fill('#cost', '99.50');
  // Attach one of the vehicle's documents (the documents step left one).
  const pick = page.locator('form.record-form .documents-pick input[type="checkbox"]').first();
  await pick.waitFor();
  await pick.check();
  await page.getByRole('button', { name: 'Save record' }).click();
  const edited = page.locator('li[data-record]').filter({ hasText: '$99.50' });
  await edited.waitFor();
  assert((await edited.innerText()).includes('1 document'), `the record does not show its document: ${await edited.innerText()}`);
  await page.locator('form.record-form h3').filter({ hasText: 'Add a record' }).waitFor();
});

await step('odometer units: 10,000 mi reads 16,093 km everywhere; a record at 16,500 km reads 10,253 mi', async () => {
  const units = async (system) => {
    await page.goto(`${BASE}/preferences`);
    await selectWhenLoaded('#unitSystem', system);
    await page.click('button[type="submit"]');
    await page.locator('.toast.success').filter({ hasText: 'Preferences saved' }).last().waitFor();
  };
  await units('imperial');
  const created = await api('POST', '/api/vehicles', { year: 2020, make: 'Mazda', model: 'MX-5', nickname: 'Units Miata', odometerReading: 10000 });
  assert(created.status === 201, `vehicle: ${created.status}`);
  const vehicle = (await created.json()).id;
  const schedule = await api('POST', '/api/maintenance/schedules', { vehicleId: vehicle, category: 'routine_maintenance',
    subtypes: ['Spark Plugs'], intervalDistance: 5000, lastServiceOdometer: 10000 });
  assert(schedule.status === 201, `schedule: ${schedule.status}`);

  await units('metric');
  await page.goto(`${BASE}/`);
  const card = page.locator(`[data-vehicle="${vehicle}"]`);
  await card.locator('[data-testid="card-odometer"]').filter({ hasText: 'km' }).waitFor();
  const cardOdo = await card.locator('[data-testid="card-odometer"]').innerText();
  assert(cardOdo === '16,093 km', `dashboard odometer ${cardOdo}`);
  await page.goto(`${BASE}/vehicles/${vehicle}?tab=maintenance`);
  const head = await page.locator('[data-testid="vehicle-odometer"]').filter({ hasText: 'km' }).innerText();
  assert(head === '16,093 km', `vehicle odometer ${head}`);
  // Every 5,000 mi = 8,047 km; due at 15,000 mi = 24,140 km.
  const row = page.locator('li[data-schedule]').filter({ hasText: 'Spark Plugs' });
  await row.waitFor();
  const due = await row.innerText();
  assert(due.includes('every 8,047 km') && due.includes('at 24,140 km'), `schedule row: ${due}`);

  const record = await api('POST', '/api/maintenance/records', { vehicleId: vehicle, date: new Date().toISOString().slice(0, 10),
    odometerReading: 16500, category: 'routine_maintenance', subtypes: ['Spark Plugs'] });
  assert(record.status === 201, `record: ${record.status}`);
  await units('imperial');
  await page.goto(`${BASE}/vehicles/${vehicle}?tab=maintenance`);
  const back = await page.locator('[data-testid="vehicle-odometer"]').filter({ hasText: 'mi' }).innerText();
  assert(back === '10,253 mi', `vehicle odometer back in miles ${back}`);
  const rec = page.locator('li[data-record]').filter({ hasText: '10,253 mi' });
  await rec.waitFor();
  const again = await page.locator('li[data-schedule]').filter({ hasText: 'Spark Plugs' }).innerText();
  assert(again.includes('every 5,000 mi') && again.includes('at 15,253 mi'), `schedule row in miles: ${again}`);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(SHOTS, 'units-miles-390x844.png'), fullPage: true });
  await page.setViewportSize({ width: 1440, height: 900 });
  await units('metric');
  const gone = await api('DELETE', `/api/vehicles/${vehicle}`);
  assert(gone.status === 204, `delete: ${gone.status}`);
});

await step('a 401 the session cannot recover from leads to sign-in, and back to the same page', async () => {
  await page.goto(`${BASE}/vehicles/${state.vehicleId}?tab=fuel`);
  await page.locator('[data-testid="avg-economy"]').waitFor();
  // The server stops accepting the session: the data call and the refresh both answer 401.
  const unauthorized = (route) => route.fulfill({ status: 401, contentType: 'application/json',
    body: JSON.stringify({ error: { code: 'unauthorized', message: 'token expired' } }) });
  await page.route('**/api/fuel-logs?**', unauthorized);
  await page.route('**/api/auth/refresh', unauthorized);
  await page.locator('nav.tabs').getByRole('link', { name: 'Charts' }).click();
  await page.waitForURL(/\/sign-in\?next=/);
  const next = new URL(page.url()).searchParams.get('next');
  assert(next === `/vehicles/${state.vehicleId}?tab=charts`, `remembered ${next}`);
  await page.unroute('**/api/fuel-logs?**');
  await page.unroute('**/api/auth/refresh');
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('button[type="submit"]');
  await page.waitForURL(new RegExp(`/vehicles/${state.vehicleId}\\?tab=charts$`));
  await page.locator('[data-testid="economy-chart"] svg').waitFor();
});

await step('sign out while the bell is still loading, and a protected page remembers where it was', async () => {
  // The bell's request is held until after sign-out: its answer then reaches a bell that is gone,
  // which must be ignored (it once panicked the app: "RuntimeError: unreachable").
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/api/notifications/summary', async (route) => { await held; await route.continue().catch(() => {}); });
  const asked = page.waitForRequest('**/api/notifications/summary');
  await page.reload();
  await asked;
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/sign-in/);
  release();
  await page.waitForResponse('**/api/notifications/summary').catch(() => {});
  await page.waitForTimeout(200);
  await page.unroute('**/api/notifications/summary');
  assert(!problems.some((p) => p.includes('unreachable') || p.includes('panicked')), problems.join(' | '));
  await page.goto(`${BASE}/vehicles/${state.vehicleId}?tab=maintenance`);
  await page.waitForURL(/\/sign-in\?next=/);
  // With the keyboard only: Tab between the labelled fields, Enter submits.
  await page.focus('#email');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  assert(await page.evaluate(() => document.activeElement?.id) === 'password', 'Tab does not reach the password');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.waitForURL(new RegExp(`/vehicles/${state.vehicleId}\\?tab=maintenance$`)).catch((e) => { throw new Error(`${e.message.split('\n')[0]} at ${page.url()}`); });
  await page.locator('[data-schedule]').first().waitFor();
});

await step('sign-in never leaves the site, whatever `next` says', async () => {
  // Signed in already, so the sign-in page goes straight on to `next`.
  const origin = new URL(BASE).origin;
  for (const next of ['/%5Cevil.example', '%2F%09%2Fevil.example', '/%09/evil.example', '//evil.example',
    'https://evil.example/x', '%2F%2Fevil.example']) {
    await page.goto(`${BASE}/sign-in?next=${next}`);
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
    assert(new URL(page.url()).origin === origin, `next=${next} led to ${page.url()}`);
  }
  await page.goto(`${BASE}/sign-in?next=${encodeURIComponent('/vehicles?x=1')}`);
  await page.waitForURL(/\/vehicles\?x=1$/);
});

// --- the admin area (ADMIN_EMAIL is in admin.bootstrap; the driver is not an admin) -----------------
const ADMIN_EMAIL = process.env.ADMIN_EMAIL;
if (ADMIN_EMAIL) {
  await step('admin: a non-admin sees no Admin link, and the admin address shows the 403 page', async () => {
    await page.goto(`${BASE}/`);
    await page.getByRole('link', { name: 'Vehicles' }).waitFor();
    assert(await page.getByRole('link', { name: 'Admin', exact: true }).count() === 0, 'a non-admin sees the Admin link');
    await page.goto(`${BASE}/admin?tab=users`);
    await page.locator('[data-testid="forbidden"]').waitFor();
    const status = (await api('GET', '/api/admin/users')).status;
    assert(status === 403, `the API answered ${status} to a non-admin`);
  });

  const adminContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  adminContext.setDefaultTimeout(15000);
  const ap = await adminContext.newPage();
  ap.on('pageerror', (e) => problems.push(`page error (admin): ${e.message}`));
  ap.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|panicked|RuntimeError/i.test(m.text())) problems.push(`console (admin): ${m.text()}`);
  });
  const adminToast = (text) => ap.locator('.toast').filter({ hasText: text }).first().waitFor();

  await step('admin: an admin grants a second admin and sees the audit row with its before and after', async () => {
    state.page = ap;
    const signup = await fetch(`${BASE}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN_EMAIL, password, acceptTerms: true }) });
    assert(signup.status === 201, `admin sign-up: ${signup.status}`);
    let token;
    for (let i = 0; i < 50 && !token; i++) {
      const link = (await outboxMessages('verify_email')).find((m) => m.to === ADMIN_EMAIL)?.text.match(/verify-email\?token=([\w.~%-]+)/);
      token = link?.[1];
      if (!token) await new Promise((r) => setTimeout(r, 100));
    }
    assert(token, 'no verification link for the admin');
    assert((await fetch(`${BASE}/api/auth/verify-email?token=${token}`)).ok, 'the admin address was not verified');
    await ap.goto(`${BASE}/sign-in?next=${encodeURIComponent('/admin?tab=users')}`);
    await ap.fill('#email', ADMIN_EMAIL);
    await ap.fill('#password', password);
    await ap.click('button[type="submit"]');
    await ap.getByRole('link', { name: 'Admin', exact: true }).waitFor();
    await ap.goto(`${BASE}/admin?tab=users`);
    await ap.fill('#user-search', email);
    await ap.getByRole('button', { name: 'Search' }).click();
    const row = ap.locator('tr[data-user]').filter({ hasText: email });
    await row.waitFor();
    const driverId = await row.getAttribute('data-user');
    await ap.locator('tr[data-user]').nth(1).waitFor({ state: 'detached' });
    await row.getByRole('button', { name: 'Make admin' }).click();
    await adminToast('Admin granted');
    await row.getByRole('button', { name: 'Remove admin' }).waitFor();
    await ap.screenshot({ path: join(SHOTS, 'admin-users-1440x900.png') });

    await ap.getByRole('link', { name: 'Audit log' }).click();
    const audit = ap.locator('li[data-audit="admin.grant"]').first();
    await audit.waitFor();
    assert((await audit.innerText()).includes(driverId), `the audit row does not name ${driverId}`);
    await audit.getByRole('button', { name: 'Show changes' }).click();
    const changed = audit.locator('table.diff tr.changed').filter({ hasText: 'userId' });
    await changed.waitFor();
    assert((await changed.innerText()).includes(driverId), 'the diff does not show the new admin');
    await ap.screenshot({ path: join(SHOTS, 'admin-audit-1440x900.png') });
    // The driver is an admin from their next request: the link appears after a reload.
    state.page = page;
    await page.reload();
    await page.getByRole('link', { name: 'Admin', exact: true }).waitFor();
  });

  await step('admin: a reported station is approved, and its reporter sees it approved', async () => {
    state.page = ap;
    await ap.goto(`${BASE}/admin?tab=stations`);
    const station = ap.locator('li[data-station="Corner Fuel"]');
    await station.waitFor();
    await station.getByRole('button', { name: 'Approve' }).click();
    await adminToast('Corner Fuel approved');
    await ap.getByText('Nothing is waiting for review.').waitFor();
    const mine = await (await api('GET', '/api/stations/community/mine')).json();
    assert(mine.find((s) => s.name === 'Corner Fuel')?.status === 'approved', `the reporter sees ${JSON.stringify(mine)}`);
  });

  await step('admin: the catalog editor adds an option and renames its make; a CSV is checked, then imported', async () => {
    state.page = ap;
    await ap.goto(`${BASE}/admin?tab=catalog`);
    await ap.waitForSelector('#catalog-year option[value="2024"]', { state: 'attached' });
    await ap.selectOption('#catalog-year', '2024');
    await ap.fill('#year', '2024');
    await ap.fill('#make', 'Aptera');
    await ap.fill('#model', 'Launch Edition');
    await ap.fill('#trim', 'Standard');
    await ap.fill('#engine', 'Electric (Triple Motor)');
    await ap.fill('#transmission', '1-Speed Direct Drive');
    await ap.getByRole('button', { name: 'Add to the catalog' }).click();
    await adminToast('Added 2024 Aptera Launch Edition Standard');
    const aptera = ap.locator('ul[aria-label="Makes"] li[data-entry="Aptera"]');
    await aptera.waitFor();
    await aptera.getByRole('button', { name: 'Rename make Aptera' }).click();
    await ap.fill('.modal #name', 'Aptera Motors');
    await ap.locator('.modal').getByRole('button', { name: 'Rename' }).click();
    await adminToast('Renamed to Aptera Motors');
    await ap.locator('ul[aria-label="Makes"] li[data-entry="Aptera Motors"]').waitFor();
    const makes = await (await api('GET', '/api/platform/makes?year=2024')).json();
    assert(makes.some((m) => m.name === 'Aptera Motors'), 'the driver\'s cascade does not show the rename');

    const csv = 'year_from,year_to,make,model,trim,engine,transmission\n'
      + '2025,2026,Aptera Motors,Sol,Standard,Electric (Dual Motor),1-Speed Direct Drive\n';
    await ap.setInputFiles('#catalog-csv', { name: 'extra.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await ap.getByRole('button', { name: 'Check the file' }).click();
    await ap.locator('.import-report').filter({ hasText: 'Ready to import' }).waitFor();
    assert((await ap.locator('.import-report').innerText()).includes('2 options'), 'the dry run does not count 2 options');
    await ap.screenshot({ path: join(SHOTS, 'admin-catalog-1440x900.png'), fullPage: true });
    await ap.getByRole('button', { name: 'Import', exact: true }).click();
    await ap.locator('.import-report[data-applied="true"]').waitFor();
    const models = await (await api('GET', '/api/platform/models?year=2026&make=Aptera%20Motors')).json();
    assert(models.some((m) => m.name === 'Sol'), `the import is not in the cascade: ${JSON.stringify(models)}`);
  });

  await step('admin: an e-mail template is previewed with sample data and saved', async () => {
    state.page = ap;
    await ap.goto(`${BASE}/admin?tab=templates`);
    await ap.locator('ul[aria-label="Templates"] li button').first().click();
    const subject = await ap.inputValue('#subject');
    await ap.fill('#subject', `${subject} (edited)`);
    await ap.getByRole('button', { name: 'Preview' }).click();
    await ap.locator('.email-preview h3').filter({ hasText: '(edited)' }).waitFor();
    // The HTML body rendered in its sandboxed frame, with the sample data.
    const html = await ap.frameLocator('.email-preview iframe').locator('body').innerText();
    assert(html.includes('2019 Honda Civic'), `the HTML preview shows: ${html}`);
    await ap.getByRole('button', { name: 'Save' }).click();
    await adminToast('saved');
    await ap.screenshot({ path: join(SHOTS, 'admin-templates-1440x900.png'), fullPage: true });
    state.page = page;
  });
  let backupArchive = null;
  let backupSha = null;
  await step('admin: a backup is made and downloaded whole; after a change, it is restored once "restore" is typed', async () => {
    state.page = ap;
    await ap.goto(`${BASE}/admin?tab=backups`);
    await ap.getByRole('button', { name: 'Back up now' }).click();
    await adminToast('Backup started');
    const ready = ap.locator('li[data-backup][data-status="ready"]').first();
    await ready.waitFor({ timeout: 30000 });
    const [download] = await Promise.all([ap.waitForEvent('download'), ready.getByRole('button', { name: 'Download' }).click()]);
    const archive = readFileSync(await download.path());
    const sha = createHash('sha256').update(archive).digest('hex');
    assert(sha === await ready.getAttribute('data-sha256'), `the downloaded archive's SHA-256 ${sha} is not the listed one`);
    assert(download.suggestedFilename().startsWith('motovaultpro-backup-'), download.suggestedFilename());
    backupArchive = archive;
    backupSha = sha;
    await ap.setViewportSize({ width: 390, height: 844 });
    await ap.screenshot({ path: join(SHOTS, 'admin-backups-390x844.png'), fullPage: true });
    await ap.setViewportSize({ width: 1440, height: 900 });

    // A change after the backup: a template's subject.
    await ap.goto(`${BASE}/admin?tab=templates`);
    await ap.locator('ul[aria-label="Templates"] li button').first().click();
    const before = await ap.inputValue('#subject');
    await ap.fill('#subject', `${before} (after the backup)`);
    await ap.getByRole('button', { name: 'Save' }).click();
    await adminToast('saved');

    await ap.goto(`${BASE}/admin?tab=backups`);
    const row = ap.locator('li[data-backup][data-status="ready"]').first();
    await row.getByRole('button', { name: 'Restore…' }).click();
    const go = row.getByRole('button', { name: 'Restore this backup' });
    assert(await go.isDisabled(), 'restore is possible before the word is typed');
    await row.getByLabel('Confirmation').fill('restore');
    await go.click();
    await adminToast('Restored:');
    // The sessions are as the backup holds them too: this one's refresh token is newer, so the
    // app asks to sign in again, and comes back here.
    await ap.goto(`${BASE}/admin?tab=templates`);
    await ap.locator('ul[aria-label="Templates"] li button, #email').first().waitFor();
    if (await ap.locator('#email').isVisible()) {
      await ap.fill('#email', ADMIN_EMAIL);
      await ap.fill('#password', password);
      await ap.click('button[type="submit"]');
      await ap.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
      await ap.goto(`${BASE}/admin?tab=templates`);
    }
    await ap.locator('ul[aria-label="Templates"] li button').first().click();
    const after = await ap.inputValue('#subject');
    assert(after === before, `the subject after the restore: ${after} (before the backup: ${before})`);
    state.page = page;
  });
  await step('admin: a backup schedule is saved and says when it runs next; an archive is uploaded and listed, a damaged one refused', async () => {
    state.page = ap;
    await ap.goto(`${BASE}/admin?tab=backups`);
    await ap.locator('#keepDaily').waitFor();
    await ap.getByLabel('Every day').check();
    await ap.selectOption('#hour', '4');
    await ap.selectOption('#timeZone', 'Europe/Berlin');
    await ap.fill('#keepDaily', '0');
    await ap.getByRole('button', { name: 'Save schedule' }).click();
    const keepError = await ap.locator('[data-field="keepDaily"] .field-error').innerText();
    assert(keepError.includes('1 to 1000'), `the keep count's error: ${keepError}`);
    await ap.fill('#keepDaily', '5');
    await ap.getByRole('button', { name: 'Save schedule' }).click();
    await adminToast('Backup schedule saved');
    const next = await ap.getByTestId('next-backup').innerText();
    assert(/Next scheduled backup: \d{4}-\d\d-\d\d 04:00 \(Europe\/Berlin\)/.test(next), next);
    await ap.reload();
    await ap.locator('#keepDaily').waitFor();
    assert(await ap.inputValue('#keepDaily') === '5' && await ap.isChecked('#daily'), 'the schedule was not kept');

    // The archive downloaded in the step before: a damaged copy is refused, the whole one listed.
    assert(backupArchive, 'no archive was downloaded');
    const damaged = Buffer.from(backupArchive);
    damaged[damaged.length >> 1] ^= 1;
    await ap.setInputFiles('#backup-file', { name: 'damaged.tar.gz', mimeType: 'application/gzip', buffer: damaged });
    const refused = await ap.getByTestId('upload-error').innerText();
    assert(refused.includes('Not kept'), refused);
    await ap.setInputFiles('#backup-file', { name: 'backup.tar.gz', mimeType: 'application/gzip', buffer: backupArchive });
    await adminToast('uploaded');
    const same = ap.locator(`li[data-backup][data-sha256="${backupSha}"]`);
    await ap.waitForFunction((sha) => document.querySelectorAll(`li[data-backup][data-sha256="${sha}"]`).length === 2, backupSha);
    assert((await same.allInnerTexts()).some((t) => t.includes('Uploaded')), 'the uploaded archive is not listed as uploaded');
    await ap.screenshot({ path: join(SHOTS, 'admin-backups-schedule-1440x900.png'), fullPage: true });
    state.page = page;
  });
  await adminContext.close();
}

// --- authProvider: oidc (Authorization Code + PKCE against a fake issuer) -----------------------------
const OIDC_BASE = process.env.OIDC_BASE_URL;
if (OIDC_BASE) {
  const fake = await startFakeOidc({ port: Number(process.env.OIDC_ISSUER_PORT), clientId: process.env.OIDC_CLIENT_ID,
    audience: process.env.OIDC_AUDIENCE ?? 'motovaultpro', tokenSeconds: 66 });
  const oidcContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  oidcContext.setDefaultTimeout(15000);
  const op = await oidcContext.newPage();
  op.on('pageerror', (e) => problems.push(`page error (oidc): ${e.message}`));
  op.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|panicked|RuntimeError/i.test(m.text())) problems.push(`console (oidc): ${m.text()}`);
  });
  state.page = op;

  await step('oidc: sign-in goes through the issuer with PKCE, asks for the terms, then onboarding', async () => {
    await op.goto(`${OIDC_BASE}/vehicles`);
    await op.waitForURL(/\/sign-in\?next=/);
    await op.getByRole('button', { name: 'Continue to sign in' }).click();
    // Signed up at the issuer, so no terms accepted yet: the API holds data routes (403) until then.
    await op.waitForURL(/\/accept-terms\?next=/);
    await op.getByRole('button', { name: 'Accept and continue' }).click();
    await op.getByText('Tick the box to accept the terms.').waitFor();
    await op.getByLabel('I have read and accept the terms of service').check();
    await op.getByText('Tick the box to accept the terms.').waitFor({ state: 'detached' });
    await op.screenshot({ path: join(SHOTS, 'accept-terms-1440x900.png') });
    await op.getByRole('button', { name: 'Accept and continue' }).click();
    await op.waitForURL(/\/onboarding$/);
    assert(fake.stats.authorize === 1 && fake.stats.codeGrants === 1, `issuer saw ${JSON.stringify(fake.stats)}`);
    assert(fake.stats.pkceFailures === 0, 'the code verifier did not match the challenge');
    const stored = await op.evaluate(() => Object.keys(sessionStorage));
    assert(!stored.some((k) => k.includes('pkce')), `PKCE leftovers in sessionStorage: ${stored}`);
    const local = await op.evaluate(() => Object.keys(localStorage).length);
    assert(local === 0, 'nothing may be kept in localStorage');
  });

  await step('oidc: the token is renewed silently before it expires, and the API still answers', async () => {
    // Tokens live 66 s here; the app renews a minute early, so within ~6 s.
    const deadline = Date.now() + 15000;
    while (fake.stats.refreshGrants < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    assert(fake.stats.refreshGrants >= 1, 'no silent refresh');
    await op.getByRole('link', { name: 'Preferences' }).click();
    await op.waitForSelector('#unitSystem');
    assert(op.url().endsWith('/preferences'), `not on preferences: ${op.url()}`);
  });

  await step('oidc: sign-out ends the issuer session too', async () => {
    await op.getByRole('button', { name: 'Sign out' }).click();
    // Out to the issuer's end-session endpoint, back to the start page, which asks to sign in.
    const deadline = Date.now() + 10000;
    while (fake.stats.logouts < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert(fake.stats.logouts === 1, 'the issuer was not told');
    await op.waitForURL(/\/sign-in/);
    await op.getByRole('button', { name: 'Continue to sign in' }).waitFor();
    assert(await op.evaluate(() => sessionStorage.getItem('mvp.refresh')) === null, 'the refresh token is still stored');
  });
  await oidcContext.close();
  await fake.close();
}

await step('password: forgotten and reset by the mailed link (which works once), then changed on the profile page', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  context.setDefaultTimeout(15000);
  const p = await context.newPage();
  p.on('pageerror', (e) => problems.push(`page error (password): ${e.message}`));
  state.page = p;
  const who = `forgetful-${Date.now()}@example.com`;
  const [first, second, third] = ['first passphrase one', 'second passphrase two', 'third passphrase three'];
  const made = await fetch(`${BASE}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: who, password: first, acceptTerms: true }) });
  assert(made.status === 201, `signup: ${made.status}`);
  const mailed = async (kind, pattern) => {
    for (let i = 0; i < 50; i++) {
      const found = (await outboxMessages(kind)).find((m) => m.to === who)?.text.match(pattern)?.[0];
      if (found) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no ${kind} mail for ${who}`);
  };
  const verify = await mailed('verify_email', /verify-email\?token=[\w.~%-]+/);
  assert((await fetch(`${BASE}/api/auth/${verify}`)).ok, 'the address was not verified');

  await p.goto(`${BASE}/sign-in`);
  await p.getByRole('link', { name: 'Forgot your password?' }).click();
  await p.fill('#email', who);
  await p.getByRole('button', { name: 'Send the link' }).click();
  await p.getByTestId('reset-sent').waitFor();
  const link = await mailed('password_reset', /https?:\/\/\S*reset-password\?token=[\w.~%-]+/);
  await p.goto(link);
  await p.fill('#password', second);
  await p.fill('#passwordAgain', 'not the same one');
  await p.getByRole('button', { name: 'Set the password' }).click();
  await p.locator('#passwordAgain-error').filter({ hasText: 'differ' }).waitFor();
  await p.fill('#passwordAgain', second);
  await p.getByRole('button', { name: 'Set the password' }).click();
  await p.waitForURL(/\/sign-in/);
  // The link works once.
  await p.goto(link);
  await p.fill('#password', third);
  await p.fill('#passwordAgain', third);
  await p.getByRole('button', { name: 'Set the password' }).click();
  await p.locator('.form-error').filter({ hasText: 'invalid, used or expired' }).waitFor();

  await p.goto(`${BASE}/sign-in`);
  await p.fill('#email', who);
  await p.fill('#password', second);
  await p.click('button[type="submit"]');
  await p.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
  await p.goto(`${BASE}/profile`);
  await p.locator('#currentPassword').waitFor();
  await p.fill('#currentPassword', 'not my password at all');
  await p.fill('#newPassword', third);
  await p.fill('#passwordAgain', third);
  await p.getByRole('button', { name: 'Change password' }).click();
  await p.locator('#currentPassword-error').filter({ hasText: 'not your current password' }).waitFor();
  await p.fill('#currentPassword', second);
  await p.getByRole('button', { name: 'Change password' }).click();
  await p.locator('.toast').filter({ hasText: 'Password changed' }).first().waitFor();
  await p.screenshot({ path: join(SHOTS, 'change-password-390x844.png'), fullPage: true });
  // This browser signed in again with the new password: a reload keeps it in; the old one is refused.
  await p.reload();
  await p.locator('#currentPassword').waitFor();
  const old = await fetch(`${BASE}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: who, password: second }) });
  assert(old.status === 401, `the old password: ${old.status}`);
  await context.close();
  state.page = page;
});

/** The members of a tar.gz: name → bytes. */
function untar(archive) {
  const tar = gunzipSync(archive);
  const members = {};
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    if (!name) break;
    const size = parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim(), 8);
    members[name] = tar.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return members;
}

let mover = null;
await step('your data: a Fuelly file is checked (its first lines shown), imported with its bad line reported, and everything exported', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  context.setDefaultTimeout(15000);
  const p = await context.newPage();
  p.on('pageerror', (e) => problems.push(`page error (your data): ${e.message}`));
  state.page = p;
  const who = `mover-${Date.now()}@example.com`;
  const made = await fetch(`${BASE}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: who, password, acceptTerms: true }) });
  assert(made.status === 201, `signup: ${made.status}`);
  let verify = null;
  for (let i = 0; i < 50 && !verify; i++) {
    verify = (await outboxMessages('verify_email')).find((m) => m.to === who)?.text.match(/verify-email\?token=[\w.~%-]+/)?.[0];
    if (!verify) await new Promise((r) => setTimeout(r, 100));
  }
  assert(verify && (await fetch(`${BASE}/api/auth/${verify}`)).ok, 'the address was not verified');
  await p.goto(`${BASE}/sign-in`);
  await p.fill('#email', who);
  await p.fill('#password', password);
  await p.click('button[type="submit"]');
  await p.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
  await p.goto(`${BASE}/preferences`);
  await p.getByTestId('your-data-link').click();
  await p.waitForURL(/\/your-data/);

  const fuelly = [
    'car_name,model,mpg,odometer,miles,gallons,price,city_percentage,fuelup_date,date_added,tags,notes,missed_fuelup,partial_fuelup',
    'Weekend,2016 Mazda MX-5,0,20000,0,9.000,3.499,0,2024-05-04,2024-05-04,,,0,0',
    'Weekend,2016 Mazda MX-5,33.3,20300,300,9.000,3.559,0,2024-05-18,2024-05-18,,,0,0',
    'Weekend,2016 Mazda MX-5,0,twenty,310,9.300,3.559,0,2024-06-01,2024-06-01,,,0,0',
    'Weekend,2016 Mazda MX-5,34.4,20610,310,9.000,3.459,0,2024-06-15,2024-06-15,,stored for winter,0,0',
  ].join('\n');
  await selectWhenLoadedOn(p, '#format', 'fuelly');
  await p.setInputFiles('#file', { name: 'fuelly.csv', mimeType: 'text/csv', buffer: Buffer.from(fuelly) });
  await p.getByRole('button', { name: 'Check the file' }).click();
  const check = await p.getByTestId('import-check').innerText();
  assert(check.includes('3 lines will be imported, 1 left out'), check);
  const rows = await p.locator('[data-testid="import-preview"] tbody tr').count();
  assert(rows === 3, `${rows} preview rows`);
  const skipped = await p.getByTestId('import-skipped').innerText();
  assert(/Line 4: odometer: "twenty" is not a number/.test(skipped), skipped);
  await p.screenshot({ path: join(SHOTS, 'import-preview-390x844.png'), fullPage: true });
  await p.getByTestId('import-confirm').click();
  const report = await p.getByTestId('import-report').innerText();
  assert(report.includes('3 imported into 1 vehicle'), report);
  await p.getByRole('link', { name: 'See the vehicles' }).click();
  await p.getByText('Weekend').first().waitFor();

  await p.goto(`${BASE}/your-data`);
  const [download] = await Promise.all([p.waitForEvent('download'), p.getByTestId('export').click()]);
  assert(download.suggestedFilename().startsWith('motovaultpro-export-'), download.suggestedFilename());
  const members = untar(readFileSync(await download.path()));
  const manifest = JSON.parse(members['manifest.json'].toString('utf8'));
  assert(manifest.counts['fuel-logs'] === 3 && manifest.counts.vehicles === 1, JSON.stringify(manifest.counts));
  for (const m of manifest.members) {
    const sha = createHash('sha256').update(members[m.path]).digest('hex');
    assert(sha === m.sha256, `${m.path}: ${sha} is not the manifest's ${m.sha256}`);
  }
  const logs = JSON.parse(members['fuel-logs.json'].toString('utf8'));
  assert(logs.some((l) => l.notes === 'stored for winter'), 'the notes came through');
  await p.screenshot({ path: join(SHOTS, 'your-data-390x844.png'), fullPage: true });
  mover = { context, page: p, who };
  state.page = page;
});

await step('your data: the account is deleted once DELETE and the password are given; its sign-in stops working', async () => {
  assert(mover, 'the previous step did not sign in');
  const p = mover.page;
  state.page = p;
  await p.goto(`${BASE}/your-data`);
  const go = p.getByRole('button', { name: 'Delete my account' });
  await p.fill('#confirmWord', 'delete');
  assert(await go.isDisabled(), 'deletion is possible before DELETE is typed');
  await p.fill('#confirmWord', 'DELETE');
  await p.fill('#password', 'not my password at all');
  await go.click();
  await p.locator('#password-error').filter({ hasText: 'not your password' }).waitFor();
  await p.fill('#password', password);
  await go.click();
  await p.waitForURL(/\/sign-in/);
  await p.locator('.toast').filter({ hasText: 'deleted' }).first().waitFor();
  const again = await fetch(`${BASE}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: mover.who, password }) });
  assert(again.status === 401, `signing in after deletion: ${again.status}`);
  await mover.context.close();
  state.page = page;
});

await step('no page errors or CSP violations', async () => {
  // On one line: a panic's message names the reactive value and where it was made after a break.
  assert(problems.length === 0, problems.map((p) => p.replace(/\s+/g, ' ')).join(' | '));
});

await browser.close();
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`\ne2e: ${passed} passed, ${failed} failed${state.fmp ? `; dashboard FMP ${state.fmp.fmp.toFixed(0)} ms` : ''}; screenshots in ${SHOTS}`);
process.exit(failed === 0 ? 0 : 1);
