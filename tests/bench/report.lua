-- Shared by the bench scripts (loaded with dofile): per-thread status counting in response()
-- and one report in done(). The including script defines init() and request().
--
-- Each wrk thread has its own Lua state: setup() numbers the threads (global `tid`, from 0)
-- and keeps their handles so done() can collect their counters with thread:get().

local threads = {}

function setup(thread)
    thread:set("tid", #threads)
    table.insert(threads, thread)
end

-- Per thread (running phase).
statuses = {}  -- [status] = count
replayed = 0   -- 2xx answers carrying Idempotent-Replayed: true
fresh = 0      -- 2xx mutation answers without it: the request really executed
other = 0      -- 2xx answers that are no mutation's (GET /healthz after running out of work)
exhausted = 0  -- requests sent after the thread ran out of work (see the script)

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
    if status >= 200 and status < 300 then
        local r = headers["Idempotent-Replayed"] or headers["idempotent-replayed"]
        -- Every mutation response advertises the key retention window.
        local mutation = headers["Idempotency-Window"] or headers["idempotency-window"]
        if not mutation then
            other = other + 1
        elseif r == "true" then
            replayed = replayed + 1
        else
            fresh = fresh + 1
        end
    end
end

-- Reads "a b" lines (whitespace separated) into a list of {a, b}.
function read_pairs(path)
    local out = {}
    for line in io.lines(path) do
        local a, b = line:match("^(%S+)%s+(%S+)")
        if a then
            table.insert(out, { a, b })
        elseif line:match("%S") then
            table.insert(out, { line:match("(%S+)") })
        end
    end
    return out
end

function done(summary, latency, requests)
    local total = {}
    local rep, fr, ex, ot = 0, 0, 0, 0
    for _, thread in ipairs(threads) do
        for status, n in pairs(thread:get("statuses")) do
            total[status] = (total[status] or 0) + n
        end
        rep = rep + thread:get("replayed")
        fr = fr + thread:get("fresh")
        ex = ex + thread:get("exhausted")
        ot = ot + thread:get("other")
    end
    local codes = {}
    for status in pairs(total) do
        table.insert(codes, status)
    end
    table.sort(codes)
    local parts, non2xx = {}, 0
    for _, status in ipairs(codes) do
        table.insert(parts, string.format("%d=%d", status, total[status]))
        if status < 200 or status >= 300 then
            non2xx = non2xx + total[status]
        end
    end
    local e = summary.errors
    local seconds = summary.duration / 1e6
    io.write(string.format("status distribution: %s\n", #parts > 0 and table.concat(parts, " ") or "(none)"))
    io.write(string.format("2xx executed: %d, 2xx replayed: %d, other 2xx: %d, non-2xx: %d, socket errors: connect %d read %d write %d timeout %d\n",
        fr, rep, ot, non2xx, e.connect, e.read, e.write, e.timeout))
    io.write(string.format("RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d executed=%d replayed=%d socket_errors=%d exhausted=%d\n",
        summary.requests, seconds, summary.requests / seconds,
        latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
        latency.max / 1000, non2xx, fr, rep, e.connect + e.read + e.write + e.timeout, ex))
end
