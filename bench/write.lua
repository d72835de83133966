-- wrk script for the write bench (bench/compare.sh): POST /api/fuel-logs with one fill-up per
-- request, as a driver adds them — each vehicle's fill-ups in time order. Each of wrk's threads
-- owns every n-th vehicle and counts its own minutes, so a vehicle's fill-ups never come from two
-- threads; requests of one thread in flight together may still be overtaken by one another, and
-- then land a minute or two back in the vehicle's history, as a late phone would.
-- Arguments: the first minute (after 2025-01-01), wrk's thread count, what each fill-up carries
-- ("trip": a trip distance; "odometer": an odometer reading, one mile per minute from minute
-- 590,000 in the bench user's default imperial units, so each vehicle's readings rise with time),
-- then the vehicle ids.
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  start = tonumber(args[1])
  local threads = tonumber(args[2])
  odometer = args[3] == "odometer"
  vehicles = {}
  for i = 4, #args do
    if (i - 4) % threads == id - 1 then
      table.insert(vehicles, args[i])
    end
  end
  sent = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

local function stamp(minute)
  -- 2025-01-01T00:00:00Z plus `minute` minutes, in RFC 3339.
  return os.date("!%Y-%m-%dT%H:%M:%SZ", 1735689600 + minute * 60)
end

function request()
  local v = vehicles[(sent % #vehicles) + 1]
  local minute = start + sent
  local i = sent
  sent = sent + 1
  local full = (math.floor(i / #vehicles) % 5 ~= 0) and "true" or "false"
  local distance
  if odometer then
    distance = string.format('"odometerReading":%d', minute - 590000)
  else
    distance = string.format('"tripDistance":%d', 280 + i % 40)
  end
  local body = string.format(
    '{"vehicleId":"%s","dateTime":"%s",%s,"fuelType":"gasoline",' ..
    '"fuelUnits":"%d.5","costPerUnit":"3.459","fullFill":%s}',
    v, stamp(minute), distance, 9 + i % 4, full)
  return wrk.format(nil, nil, nil, body)
end

-- One line of JSON in the shape of oha's (seconds), which compare.sh reads: requests that were
-- not answered 2xx/3xx, or failed on the socket, are counted apart.
function done(summary, latency, requests)
  local e = summary.errors
  local failed = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    '{"summary":{"requestsPerSec":%.3f},"latencyPercentiles":{"p50":%.6f,"p99":%.6f},' ..
    '"statusCodeDistribution":{"2xx":%d,"other":%d}}\n',
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1e6,
    latency:percentile(99) / 1e6, summary.requests - e.status, e.status + failed))
end
