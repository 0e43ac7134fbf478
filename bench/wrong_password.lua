-- wrk script: GET /v2/keys/bench/k1 as user "bench" with a new wrong
-- password on every request (no two alike, so no server can remember one).
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local counter = 0
local seed = 0

local function base64(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local chars = {}
    for j = 3, 0, -1 do
      local v = math.floor(n / 64 ^ j) % 64
      chars[#chars + 1] = alphabet:sub(v + 1, v + 1)
    end
    if not b then chars[3] = "=" end
    if not c then chars[4] = "=" end
    out[#out + 1] = table.concat(chars)
  end
  return table.concat(out)
end

setup = function(thread)
  seed = seed + 1
  thread:set("seed", seed)
end

request = function()
  counter = counter + 1
  local credentials = "bench:wrong-" .. tostring(seed) .. "-" .. counter
  return wrk.format("GET", "/v2/keys/bench/k1", { ["Authorization"] = "Basic " .. base64(credentials) })
end
