-- wrk script for benchmarks/service_load.py: POST /v1/price with one product per request, cycling
-- through the JSON bodies in the file named by the BODIES environment variable (one a line), and
-- print the figures as one JSON line at the end.
local bodies = {}
for line in io.lines(os.getenv("BODIES")) do
  bodies[#bodies + 1] = line
end
local counter = 0
local headers = {["Content-Type"] = "application/json"}

request = function()
  counter = counter + 1
  return wrk.format("POST", "/v1/price", headers, bodies[(counter % #bodies) + 1])
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
