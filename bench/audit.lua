-- wrk script for bench/audit.sh: the access log of a random person or
-- member of staff over a whole year, a page of 50, with the bench's token.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("CHARTER_TOKEN")
local kind = os.getenv("AUDIT_KIND")
local lo, n = tonumber(os.getenv("AUDIT_LO")), tonumber(os.getenv("AUDIT_N"))
math.randomseed(os.time())
request = function()
    local id = lo + math.random(0, n - 1)
    return wrk.format("GET", "/api/v1/audit?" .. kind .. "=" .. id ..
                      "&from=2025-01-01&to=2025-12-31&limit=50")
end
