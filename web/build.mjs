// Copies the page and the npm libraries it uses into dist/, which
// `pixeldrill serve` reads at start-up. No bundler: the page is small and
// the libraries ship ready-to-use browser builds.
import { cpSync, mkdirSync, rmSync } from 'node:fs';

const out = new URL('./dist/', import.meta.url);
rmSync(out, { recursive: true, force: true });
mkdirSync(new URL('./lib/', out), { recursive: true });
cpSync(new URL('./src/', import.meta.url), out, { recursive: true });
const lib = (from, to) => cpSync(new URL(`./node_modules/${from}`, import.meta.url), new URL(`./lib/${to}`, out));
lib('leaflet/dist/leaflet.js', 'leaflet.js');
lib('leaflet/dist/leaflet.css', 'leaflet.css');
lib('uplot/dist/uPlot.iife.min.js', 'uPlot.iife.min.js');
lib('uplot/dist/uPlot.min.css', 'uPlot.min.css');
console.log('web: built', out.pathname);
