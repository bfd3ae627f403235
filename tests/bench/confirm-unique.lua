-- (a) Unique-key confirms: every request carries a new Idempotency-Key and confirms a distinct
-- pending booking, so every one really writes (one version bump, one change-log row, one key
-- record).
--
--   wrk ... -s confirm-unique.lua URL -- IDS_FILE TOKEN THREADS [KEY_PREFIX]
--
-- IDS_FILE holds one pending booking id per line; thread t takes lines t, t+THREADS, ...
-- A thread that runs out of ids stops (its requests would no longer write) and counts it in
-- `exhausted`; the shell script flags such a run.

dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")

local ids = {}
local next_index = 1
local headers = nil
local prefix = nil
local counter = 0
-- wrk calls request() once on thread 0's state before the run, only to count pipelined
-- requests; that request is never sent, so it must not use up a booking.
local unsent_calls = 0

function init(args)
    local file, token, nthreads = args[1], args[2], tonumber(args[3])
    prefix = string.format("%s-%d-", args[4] or ("u" .. os.time()), tid)
    local i = 0
    for line in io.lines(file) do
        if line:match("%S") then
            if i % nthreads == tid then
                table.insert(ids, line)
            end
            i = i + 1
        end
    end
    if tid == 0 then
        unsent_calls = 1
    end
    headers = {
        ["Authorization"] = "Bearer " .. token,
        ["Content-Type"] = "application/json",
    }
end

function request()
    local id = ids[next_index]
    if id == nil then
        exhausted = exhausted + 1
        wrk.thread:stop()
        return wrk.format("GET", "/healthz", {}, nil)
    end
    if unsent_calls > 0 then
        unsent_calls = unsent_calls - 1
    else
        next_index = next_index + 1
    end
    counter = counter + 1
    headers["Idempotency-Key"] = prefix .. counter
    return wrk.format("POST", "/api/bookings/confirm", headers, '{"bookingId":"' .. id .. '"}')
end
