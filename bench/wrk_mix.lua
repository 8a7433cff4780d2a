-- wrk script for bench/load.py's mix run: each request draws a path from a file with a Zipf
-- distribution (rank r has weight 1 / r^s), and each response's Server-Timing header is read.
--   wrk ... --script=bench/wrk_mix.lua URL -- PATHS_FILE SEED S OUT_PREFIX
-- Prints one WRKJSON report line (as wrk_report.lua) plus statuses by class and the search
-- cache's hits and misses; each thread writes its server times (ms, one a line) to OUT_PREFIX.<n>.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if line ~= "" then table.insert(paths, line) end
  end
  local s = tonumber(args[3])
  cdf = {}
  local total = 0
  for i = 1, #paths do
    total = total + 1 / (i ^ s)
    cdf[i] = total
  end
  for i = 1, #paths do cdf[i] = cdf[i] / total end
  math.randomseed(tonumber(args[2]) * 1000 + id)
  out_path = args[4] .. "." .. id
  server_ms = {}
  non_2xx = 0
  status_4xx = 0
  status_5xx = 0
  cache_hits = 0
  cache_misses = 0
  untimed = 0
end

function request()
  local r = math.random()
  local lo, hi = 1, #cdf
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < r then lo = mid + 1 else hi = mid end
  end
  return wrk.format("GET", paths[lo])
end

function response(status, headers, body)
  if status < 200 or status > 299 then non_2xx = non_2xx + 1 end
  if status >= 400 and status < 500 then status_4xx = status_4xx + 1 end
  if status >= 500 then status_5xx = status_5xx + 1 end
  local timing = headers["Server-Timing"] or headers["server-timing"]
  if timing == nil then
    untimed = untimed + 1
    return
  end
  local total = string.match(timing, "total;dur=([0-9.]+)")
  if total then table.insert(server_ms, total) end
  local hits, misses = string.match(timing, "hits=(%d+) misses=(%d+)")
  if hits then
    cache_hits = cache_hits + tonumber(hits)
    cache_misses = cache_misses + tonumber(misses)
  end
  if #server_ms >= 200 then
    append(out_path, server_ms)
    server_ms = {}
  end
end

function append(path, values)
  if #values == 0 then return end
  local handle = io.open(path, "a")
  handle:write(table.concat(values, "\n"), "\n")
  handle:close()
end

function done(summary, latency, requests)
  local sums = {non_2xx = 0, status_4xx = 0, status_5xx = 0, cache_hits = 0, cache_misses = 0, untimed = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(sums) do sums[name] = sums[name] + thread:get(name) end
    append(thread:get("out_path"), thread:get("server_ms"))
  end
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "non_2xx": %d, "status_4xx": %d, "status_5xx": %d, ' ..
    '"cache_hits": %d, "cache_misses": %d, "untimed": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "max": %d, "p50": %d, "p90": %d, "p95": %d, "p99": %d}}\n',
    summary.requests, summary.duration, sums.non_2xx, sums.status_4xx, sums.status_5xx,
    sums.cache_hits, sums.cache_misses, sums.untimed,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99)))
end
