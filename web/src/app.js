// pixeldrill web page: a map of the dataset's mean SST (rendered by the
// server, no internet tiles), click -> drill -> chart, box -> box mean.
// Every request is an API URL the download links repeat, so what is plotted
// is what a user downloads.
'use strict';

const state = { dataset: null, datasets: [], chart: null, last: null, boxMode: false };
window.pixeldrill = state;  // read by the browser test

const $ = (id) => document.getElementById(id);

function temperatureVariable(d) {
  const v = d.variables.find((x) => /sea_surface|sst|temperature/i.test(x.name));
  return (v || d.variables[0]).name;
}

function queryParams(extra) {
  const d = state.dataset;
  const p = new URLSearchParams(extra);
  p.set('var', temperatureVariable(d));
  if ($('from').value) p.set('from', $('from').value);
  if ($('to').value) p.set('to', $('to').value);
  if ($('qc').checked) p.set('min_quality', $('min-quality').value);
  if ($('celsius').checked) p.set('celsius', 'true');
  // Calendar means (the API's aggregate/stats parameters, as drill --aggregate).
  if ($('aggregate').value) {
    p.set('aggregate', $('aggregate').value);
    p.set('stats', 'mean');
  }
  return p;
}

function drillUrl(params, format) {
  const p = new URLSearchParams(params);
  p.set('format', format);
  return `/api/v1/datasets/${encodeURIComponent(state.dataset.id)}/drill?${p}`;
}

async function drill(extra, label) {
  const params = queryParams(extra);
  const url = drillUrl(params, 'json');
  $('status').textContent = `Drilling ${label} ...`;
  $('chart').dataset.state = 'loading';
  const response = await fetch(url);
  const body = await response.json();
  if (!response.ok) {
    $('status').innerHTML = '';
    const span = document.createElement('span');
    span.className = 'error';
    span.textContent = body.error ? body.error.message : response.statusText;
    $('status').appendChild(span);
    $('chart').dataset.state = 'error';
    return;
  }
  state.last = { url, body };
  const column = body.columns[0];
  const rows = body.data;  // pandas Table Schema JSON: the rows are "data"
  const xs = rows.map((r) => Date.parse(r.time) / 1000);
  const ys = rows.map((r) => r[column.name]);
  const first = rows[0];
  $('where').textContent = first
    ? `${label}: ${label === 'Point' ? 'pixel centre' : 'box centre'} ${first.lat}, ${first.lon} (${rows.length} time steps, ${ys.filter((v) => v !== null).length} valid)`
    : `${label}: no time steps in range`;
  $('status').textContent = `${column.name} (${column.units})`;
  plot(xs, ys, `${column.name} (${column.units})`);
  $('downloads').innerHTML = '';
  for (const [format, name] of [['csv', 'CSV'], ['netcdf', 'NetCDF'], ['json', 'JSON']]) {
    const a = document.createElement('a');
    a.href = drillUrl(params, format);
    a.textContent = `Download ${name}`;
    a.id = `download-${format}`;
    if (format !== 'json') a.download = `${state.dataset.id}.${format === 'netcdf' ? 'nc' : 'csv'}`;
    $('downloads').appendChild(a);
  }
  if (params.has('box')) {
    // The box itself as a (time, lat, lon) NetCDF cube (413 when larger than the server allows).
    const p = new URLSearchParams(params);
    p.delete('reduce');
    p.delete('aggregate');
    p.delete('stats');
    const a = document.createElement('a');
    a.href = drillUrl(p, 'netcdf');
    a.textContent = 'Download box cube (NetCDF)';
    a.id = 'download-cube';
    a.download = `${state.dataset.id}-box.nc`;
    $('downloads').appendChild(a);
  }
  $('chart').dataset.state = 'ready';
}

function plot(xs, ys, label) {
  if (state.chart) state.chart.destroy();
  const el = $('chart');
  state.chart = new uPlot({
    width: Math.max(400, el.clientWidth || 400),
    height: 320,
    series: [{}, { label, stroke: '#1d3557', width: 1.5, points: { show: xs.length < 400 } }],
    axes: [{}, { size: 60 }],
  }, [xs, ys], el);
  state.plotted = { xs, ys };
}

async function showDataset(d) {
  state.dataset = d;
  if (state.map) state.map.remove();
  const halfLat = (d.extent.north - d.extent.south) / (2 * (d.extent.lat_size - 1 || 1));
  const halfLon = (d.extent.east - d.extent.west) / (2 * (d.extent.lon_size - 1 || 1));
  const bounds = [[d.extent.south - halfLat, d.extent.west - halfLon], [d.extent.north + halfLat, d.extent.east + halfLon]];
  // Plate carree: the image's rows and columns are the grid's, so no reprojection.
  const map = L.map('map', { crs: L.CRS.EPSG4326, attributionControl: false, zoomSnap: 0.25 });
  map.fitBounds(bounds);
  L.imageOverlay(`/api/v1/datasets/${encodeURIComponent(d.id)}/map.png`, bounds).addTo(map);
  state.map = map;
  state.marker = null;
  map.on('click', (e) => {
    if (state.boxMode) return;
    const { lat, lng } = e.latlng;
    if (state.marker) state.marker.remove();
    state.marker = L.circleMarker(e.latlng, { radius: 5, color: '#e63946' }).addTo(map);
    drill({ point: `${lat.toFixed(4)},${lng.toFixed(4)}` }, 'Point');
  });
  setupBoxDrawing(map);
  if (d.time) {
    $('from').value = '';
    $('to').value = '';
    $('from').min = $('to').min = d.time.first.slice(0, 10);
    $('from').max = $('to').max = d.time.last.slice(0, 10);
  }
}

function setupBoxDrawing(map) {
  let start = null;
  let rect = null;
  map.on('mousedown', (e) => {
    if (!state.boxMode) return;
    start = e.latlng;
    if (rect) rect.remove();
    rect = L.rectangle([start, start], { color: '#e63946', weight: 1 }).addTo(map);
  });
  map.on('mousemove', (e) => { if (start && rect) rect.setBounds([start, e.latlng]); });
  map.on('mouseup', (e) => {
    if (!start) return;
    const b = L.latLngBounds(start, e.latlng);
    start = null;
    const box = [b.getSouth(), b.getNorth(), b.getWest(), b.getEast()].map((v) => v.toFixed(4)).join(',');
    drill({ box, reduce: 'mean' }, 'Box mean');
  });
}

$('box-mode').addEventListener('click', () => {
  state.boxMode = !state.boxMode;
  $('box-mode').classList.toggle('active', state.boxMode);
  if (state.map) state.boxMode ? state.map.dragging.disable() : state.map.dragging.enable();
});

for (const id of ['from', 'to', 'qc', 'min-quality', 'celsius', 'aggregate']) {
  $(id).addEventListener('change', () => {
    if (!state.last) return;
    const p = new URL(state.last.url, location.href).searchParams;
    const extra = p.has('box') ? { box: p.get('box'), reduce: 'mean' } : { point: p.get('point') };
    drill(extra, p.has('box') ? 'Box mean' : 'Point');
  });
}

async function main() {
  const response = await fetch('/api/v1/datasets');
  state.datasets = await response.json();
  const wanted = new URLSearchParams(location.search).get('dataset');
  for (const d of state.datasets) {
    const o = document.createElement('option');
    o.value = d.id;
    o.textContent = d.title || d.id;
    $('dataset').appendChild(o);
  }
  $('dataset').addEventListener('change', () => showDataset(state.datasets.find((d) => d.id === $('dataset').value)));
  const first = state.datasets.find((d) => d.id === wanted) || state.datasets[0];
  if (!first) { $('status').textContent = 'No datasets.'; return; }
  $('dataset').value = first.id;
  await showDataset(first);
  document.body.dataset.ready = 'true';
}

main().catch((e) => { $('status').textContent = `Error: ${e}`; });
