-- wrk script for bench/serve_load.sh: each request drills a random ocean
-- point (from POINTS_FILE, one "lat,lon" a line) through PATH_PREFIX.
-- The requests are formatted once per thread (in init), not per request:
-- wrk shares the server's 2 cores, and building each request in Lua was
-- client CPU taken from the server (docs/serve.md, "Load").
local points = {}
local prefix = os.getenv("PATH_PREFIX") or "/api/v1/datasets/store/drill?var=sea_surface_temperature&point="
for line in io.lines(os.getenv("POINTS_FILE")) do
  if #line > 0 then points[#points + 1] = line end
end

-- GRIDDAP=DATASET: the same point as an ERDDAP griddap .csv request over all days.
local griddap = os.getenv("GRIDDAP")
local prepared = {}

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
  for i, p in ipairs(points) do
    if griddap then
      local lat, lon = p:match("([^,]+),([^,]+)")
      prepared[i] = wrk.format("GET", "/erddap/griddap/" .. griddap ..
        ".csv?sea_surface_temperature%5B0:1:last%5D%5B(" .. lat .. ")%5D%5B(" .. lon .. ")%5D")
    else
      prepared[i] = wrk.format("GET", prefix .. p)
    end
  end
end

function request()
  return prepared[math.random(#prepared)]
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_s=%.2f rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f errors=%d non2xx=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
