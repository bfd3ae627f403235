-- (b) Replays: the same (key, body) pairs again and again. Every pair was executed once before
-- the run, so every answer must be the stored one with Idempotent-Replayed: true; nothing is
-- written.
--
--   wrk ... -s confirm-replay.lua URL -- PAIRS_FILE TOKEN
--
-- PAIRS_FILE holds "KEY BOOKING_ID" per line. Requests are built once in init(); each thread
-- cycles through all pairs from its own starting point.

dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")

local requests = {}
local next_index = 1

function init(args)
    local pairs_list, token = read_pairs(args[1]), args[2]
    for _, p in ipairs(pairs_list) do
        table.insert(requests, wrk.format("POST", "/api/bookings/confirm", {
            ["Authorization"] = "Bearer " .. token,
            ["Content-Type"] = "application/json",
            ["Idempotency-Key"] = p[1],
        }, '{"bookingId":"' .. p[2] .. '"}'))
    end
    next_index = (tid * 97) % #requests + 1
end

function request()
    local r = requests[next_index]
    next_index = next_index % #requests + 1
    return r
end
