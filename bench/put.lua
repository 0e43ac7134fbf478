-- wrk script: PUT form bodies to 1000 keys in turn (/v2/keys/bench/k0..k999).
local counter = 0
local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
local body = "value=" .. string.rep("v", 64)

request = function()
  counter = counter + 1
  return wrk.format("PUT", "/v2/keys/bench/k" .. (counter % 1000), headers, body)
end
