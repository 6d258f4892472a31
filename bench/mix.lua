-- wrk script for bench/lists.sh: a working day's mix at the desk. Of every
-- hundred requests, 80 read (a case, the case lists, the queues), 15 log a
-- contact on an open case and 5 create a case, with the bench's token.
-- MIX_LO is the first case's id; bench/lists.sh makes case i open when
-- i % 100 is 75 to 94.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("CHARTER_TOKEN")
local lo = tonumber(os.getenv("MIX_LO"))
local cases = tonumber(os.getenv("MIX_CASES"))
local officer = os.getenv("MIX_OFFICER")
local json = {["Content-Type"] = "application/json",
              ["Authorization"] = wrk.headers["Authorization"]}
local reads = {
    "/api/v1/cases?status=open&limit=20",
    "/api/v1/cases?service=cognus/enquiries&status=open&limit=20",
    "/api/v1/cases?officer_id=" .. officer .. "&status=open&limit=20",
    "/api/v1/cases?officer_id=none&status=open&limit=20",
    "/api/v1/queues/overdue?limit=50",
    "/api/v1/queues/unassigned?limit=50",
}
local create = '{"service":"cognus/enquiries","kind":"enquiry","channel":"email",' ..
    '"received_at":"2025-12-19T16:45:00Z","subject":"Working-day enquiry",' ..
    '"requester":{"name":"A Parent","email":"parent@example.org"},"flags":[]}'
local contact = '{"direction":"inbound","channel":"phone","who":"A Parent",' ..
    '"summary":"Rang to ask how the request is going."}'
math.randomseed(os.time() + math.floor(os.clock() * 1000000))

local function open_case()
    local hundred = math.random(0, math.floor(cases / 100) - 1)
    return lo - 1 + hundred * 100 + 75 + math.random(0, 19)
end

request = function()
    local r = math.random(1, 100)
    if r <= 5 then
        return wrk.format("POST", "/api/v1/cases", json, create)
    elseif r <= 20 then
        return wrk.format("POST", "/api/v1/cases/" .. open_case() .. "/contacts", json, contact)
    elseif r <= 60 then -- half the reads open one case
        return wrk.format("GET", "/api/v1/cases/" .. math.random(lo, lo + cases - 1))
    end
    return wrk.format("GET", reads[math.random(1, #reads)])
end
