// Browser test of the griddap Data Access Form (/erddap/griddap/ID.html) in
// Debian's chromium, driven by playwright-core: set a one-pixel request in the
// form, generate the URL, submit, and check the table that opens equals the
// same request as .csv.
// Usage: node web/test/form_test.mjs BASE_URL ID VARIABLE LAT LON
// (run by the GoogleTest ServerOverHttp suite, which starts the server).
import { withChromium } from './chromium.mjs';

const [base, id, variable, lat, lon] = process.argv.slice(2);
if (!lon) {
  console.error('usage: form_test.mjs BASE_URL ID VARIABLE LAT LON');
  process.exit(2);
}
const fail = (message) => { throw new Error(message); };

await withChromium({}, async (context) => {
  const page = context.pages()[0] || await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const form = `${base}erddap/griddap/${id}.html`;
  await page.goto(form, { waitUntil: 'load' });
  // Every variable unticked but the one asked for; all time steps; one pixel.
  for (const box of await page.$$('input[name=var]')) {
    const want = (await box.getAttribute('value')) === variable;
    if ((await box.isChecked()) !== want) await box.click();
  }
  const first = await page.$eval('tr.dim[data-name=time] td:last-child',
                                 (td) => td.textContent.split(' to ')[0]);
  await page.fill('input[name=time_start]', first);
  for (const [name, value] of [['lat', lat], ['lon', lon]]) {
    await page.fill(`input[name=${name}_start]`, value);
    await page.fill(`input[name=${name}_stride]`, '1');
    await page.fill(`input[name=${name}_stop]`, value);
  }
  await page.selectOption('select[name=fileType]', 'htmlTable');
  await page.click('#generate');
  const url = await page.inputValue('#url');
  if (!url.startsWith(`${id}.htmlTable?${variable}`)) fail(`generated URL ${url}`);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  if (page.url() !== new URL(url, form).href) fail(`submitted ${page.url()}, generated ${url}`);
  // The table shown equals the .csv of the same request (NaN shown as an empty cell).
  const shown = await page.$$eval('tr', (rows) => rows.map(
    (tr) => [...tr.cells].map((c) => c.textContent.trim()).join(',')));
  const csvUrl = new URL(url.replace('.htmlTable?', '.csv?'), form);
  const csv = (await (await fetch(csvUrl)).text()).trim().split('\n')
    .map((line) => line.split(',').map((c) => (c === 'NaN' ? '' : c)).join(','));
  if (shown.join('\n') !== csv.join('\n')) {
    fail(`the submitted page differs from ${csvUrl}:\n${shown.join('\n')}\n---\n${csv.join('\n')}`);
  }
  const rows = csv;
  if (rows.length < 3) fail(`no data rows from ${csvUrl}`);
  if (errors.length) fail(`page errors: ${errors.join('; ')}`);
  console.log(`ok: ${url} -> ${rows.length - 2} rows`);
});
