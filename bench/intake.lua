-- wrk script: each request from a different commenter (name, email, IP), as on a real site.
-- Sends both Palabre's field names and the lean reference's (name, email), so one script
-- drives both apps; each ignores the fields it does not know.
local counter = 0
local threads = {}
local key = os.getenv("BENCH_KEY") or ""
-- Each run gets its own range of commenters: resending a previous run's comment would be a
-- duplicate (409), as on a real site.
local run = tonumber(os.getenv("BENCH_RUN") or "0")

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  created, ok, other = 0, 0, 0
end

-- Comment texts: one JSON-escaped text per line of $BENCH_TEXTS (written by bench/intake.py
-- from our own corpus), so the traffic is as varied as a real site's, not one campaign.
-- The second text's index also moves with n // #texts, so a pair does not come back every
-- #texts requests (identical texts from different commenters are a campaign).
local texts = {}
for line in io.lines(os.getenv("BENCH_TEXTS")) do table.insert(texts, line) end

request = function()
  counter = counter + 1
  local n = run * 10000000 + id * 1000000 + counter
  local body = string.format(
    '{"content":"%s %s","author_name":"Lecteur %d","name":"Lecteur %d",' ..
    '"author_email":"lecteur%d@example.ml","email":"lecteur%d@example.ml",' ..
    '"author_ip":"10.%d.%d.%d","post_id":"%d"}',
    texts[(n % #texts) + 1], texts[((n * 7919 + math.floor(n / #texts)) % #texts) + 1], n, n, n, n,
    math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256, n % 50)
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}
  return wrk.format("POST", nil, headers, body)
end

response = function(status, headers, body)
  if status == 201 then created = created + 1
  elseif status >= 200 and status < 300 then ok = ok + 1
  else other = other + 1 end
end

done = function(summary, latency, requests)
  local c, o, x = 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created"); o = o + t:get("ok"); x = x + t:get("other")
  end
  io.write(string.format("STATUS created=%d ok=%d other=%d\n", c, o, x))
  io.write(string.format("LATENCY p50_us=%d p99_us=%d\n",
    latency:percentile(50), latency:percentile(99)))
  io.write(string.format("TOTAL requests=%d duration_us=%d errors=%d\n",
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout + summary.errors.status))
end
