-- wrk script: POST survey submissions to the JSON API, each with an id of its own, and record which ids the
-- server acknowledged (201), so that the caller can audit them against what is stored (tests/loadtest.py,
-- submit_with_wrk, which writes the arguments; used by benchmarks/bench_survey.py and bench_workers.py).
--
--   wrk -t T -c C -d S -s benchmarks/survey_submit.lua http://HOST:PORT/s/SLUG/submissions -- \
--       RUN_PREFIX OUT_FILE BODY_HEAD BODY_TAIL
--
-- The body is BODY_HEAD .. id .. BODY_TAIL, the Python client's JSON with the id left out, so both send the same
-- bytes. An id is RUN_PREFIX-THREAD-COUNTER: unique within the run (each wrk thread has its own Lua state and
-- its own number, given in setup) and across runs (the prefix).
--
-- Which request a response answers: wrk's response() is not told, and a thread drives several connections.
-- The server's 201 reply names the id it stored ({"submission_id":"...","status":"stored"}), so the id is taken
-- from the reply itself: sound whatever the order of connections, reconnects or timeouts.
--
-- done() (wrk's main Lua state) collects every thread's ids (thread:get copies the table) and writes OUT_FILE:
-- a first line "# duration_us requests not_201 connect read write status timeout", then one id a line.

local threads = {}

function setup(thread)
   threads[#threads + 1] = thread
   thread:set("number", #threads)
end

function init(args)
   prefix = args[1] .. "-" .. number .. "-"
   out = args[2]
   head, tail = args[3], args[4]
   start = "POST " .. wrk.path .. " HTTP/1.1\r\nHost: " .. wrk.headers["Host"] ..
           "\r\nContent-Type: application/json\r\nContent-Length: "
   sent, acked, refused = 0, {}, 0
end

function request()
   sent = sent + 1
   local body = head .. prefix .. sent .. tail
   return start .. #body .. "\r\n\r\n" .. body
end

function response(status, headers, body)
   if status == 201 then
      -- A 201 naming no id is kept as "?": an acknowledgement that cannot be checked counts as lost.
      acked[#acked + 1] = string.match(body, '"submission_id":%s*"([^"]*)"') or "?"
   else
      refused = refused + 1
   end
end

function done(summary, latency, requests)
   local file = assert(io.open(threads[1]:get("out"), "w"))
   local errors = summary.errors
   local not_201 = 0
   for _, thread in ipairs(threads) do
      not_201 = not_201 + thread:get("refused")
   end
   file:write(string.format("# %d %d %d %d %d %d %d %d\n", summary.duration, summary.requests, not_201,
                            errors.connect, errors.read, errors.write, errors.status, errors.timeout))
   for _, thread in ipairs(threads) do
      local ids = thread:get("acked")
      if #ids > 0 then
         file:write(table.concat(ids, "\n"), "\n")
      end
   end
   file:close()
end
