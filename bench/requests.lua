-- wrk script: replays requests from a TSV file (method, path, headers, body; "-" for none) in order,
-- cycling, and prints a JSON summary line that bench/wrk.mjs parses. Headers are "Name: value" joined by " || ".
local reqs = {}
local n = 0
local i = 0

function init(args)
  -- args[3]: where to start in the file, so successive runs go on through a long sequence instead of replaying it.
  i = tonumber(args[3] or "0") or 0
  for line in io.lines(args[1]) do
    local method, path, header, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = {}
    if header ~= "-" then
      for h in (header .. " || "):gmatch("(.-) || ") do
        local name, value = h:match("^([^:]+): (.*)$")
        headers[name] = value
      end
    end
    if args[2] and args[2] ~= "-" then headers["Authorization"] = args[2] end
    n = n + 1
    reqs[n] = wrk.format(method, path, headers, body ~= "-" and body or nil)
  end
end

function request()
  i = i % n + 1
  return reqs[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('UDN_BENCH {"requests":%d,"duration_us":%d,"socket_errors":%d,"non2xx":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
