// Browser test of pixeldrill serve's web page in Debian's chromium, driven by
// playwright-core: load, click an ocean pixel, wait for the chart, check the
// plotted values equal the downloaded CSV's, keep a screenshot.
// Usage: node web/test/page_test.mjs BASE_URL LAT LON OUT_DIR
// (run by the GoogleTest WebPage suite, which starts the server).
import { withChromium } from './chromium.mjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [base, lat, lon, outDir] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: page_test.mjs BASE_URL LAT LON OUT_DIR');
  process.exit(2);
}
const fail = (message) => { throw new Error(message); };

await withChromium({ acceptDownloads: true, viewport: { width: 1280, height: 720 } }, async (context) => {
  const page = context.pages()[0] || await context.newPage();
  const external = [];
  page.on('request', (r) => { if (!r.url().startsWith(base)) external.push(r.url()); });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  // The map background (mean SST image rendered by the server) loaded.
  await page.waitForFunction(() => [...document.querySelectorAll('img.leaflet-image-layer')]
    .some((img) => img.complete && img.naturalWidth > 0), null, { timeout: 30000 });

  const point = await page.evaluate(([la, lo]) => {
    const p = window.pixeldrill.map.latLngToContainerPoint([la, lo]);
    const r = document.getElementById('map').getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }, [Number(lat), Number(lon)]);
  await page.mouse.click(point.x, point.y);
  await page.waitForSelector('#chart[data-state="ready"]', { timeout: 30000 });
  await page.waitForSelector('#chart canvas');

  const plotted = await page.evaluate(() => window.pixeldrill.plotted);
  const drilledUrl = await page.evaluate(() => window.pixeldrill.last.url);
  if (!plotted.ys.some((v) => v !== null)) fail('the chart shows no valid values');

  // The same series as the API answers it, independently of the page's own request.
  const api = await (await page.request.get(base.replace(/\/$/, '') + drilledUrl)).json();
  const column = api.columns[0].name;
  const apiValues = api.data.map((r) => r[column]);
  if (JSON.stringify(apiValues) !== JSON.stringify(plotted.ys)) {
    fail(`plotted ${JSON.stringify(plotted.ys)} != API ${JSON.stringify(apiValues)}`);
  }

  // The CSV download link gives the same numbers.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
  const csvPath = join(outDir, 'download.csv');
  await download.saveAs(csvPath);
  const lines = readFileSync(csvPath, 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const col = header.indexOf(column);
  if (col < 0) fail(`CSV header ${lines[0]} lacks ${column}`);
  const csvValues = lines.slice(1).map((l) => { const f = l.split(',')[col]; return f === '' ? null : Number(f); });
  if (JSON.stringify(csvValues) !== JSON.stringify(plotted.ys)) {
    fail(`CSV ${JSON.stringify(csvValues)} != plotted ${JSON.stringify(plotted.ys)}`);
  }
  const where = await page.textContent('#where');
  await page.screenshot({ path: join(outDir, 'page.png') });

  // Box mean: drag a box around the point; the plotted series is the API's box mean.
  await page.click('#box-mode');
  await page.mouse.move(point.x - 25, point.y - 25);
  await page.mouse.down();
  await page.mouse.move(point.x, point.y, { steps: 5 });
  await page.mouse.move(point.x + 25, point.y + 25, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => window.pixeldrill.last.url.includes('reduce=mean') &&
    document.getElementById('chart').dataset.state === 'ready', null, { timeout: 30000 });
  const boxUrl = await page.evaluate(() => window.pixeldrill.last.url);
  const boxPlotted = await page.evaluate(() => window.pixeldrill.plotted.ys);
  const boxApi = await (await page.request.get(base.replace(/\/$/, '') + boxUrl)).json();
  const boxValues = boxApi.data.map((r) => r[boxApi.columns[0].name]);
  if (JSON.stringify(boxValues) !== JSON.stringify(boxPlotted)) {
    fail(`box mean plotted ${JSON.stringify(boxPlotted)} != API ${JSON.stringify(boxValues)}`);
  }
  if (!boxPlotted.some((v) => v !== null)) fail('the box mean has no valid values');
  await page.screenshot({ path: join(outDir, 'page-box.png') });
  if (external.length) fail(`the page requested other hosts: ${external.join(' ')}`);
  console.log(`web page ok: ${where}; ${plotted.ys.length} values plotted = API = CSV; box mean ${boxUrl}`);
});
