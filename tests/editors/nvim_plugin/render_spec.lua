-- The transcript format from synthetic event streams: pure render + a real chat buffer
-- fed fake events (the server is not involved; requests are captured).
local h = dofile(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)) .. "/harness.lua")
local render = require("tether.render")

local function ev(t, fields)
  fields = fields or {}
  fields.type = t
  fields.sessionId = fields.sessionId or "s1"
  fields.turnId = fields.turnId or "t1"
  return fields
end

h.test("text deltas accumulate and text_complete is authoritative", function()
  local turn = render.new_turn()
  render.apply(turn, ev("text_delta", { messageId = "m1", text = "Hel" }))
  render.apply(turn, ev("text_delta", { messageId = "m1", text = "lo\nworld" }))
  h.eq({ "", "Hello", "world", "" }, render.segment_lines(turn, 1))
  render.apply(turn, ev("text_complete", { messageId = "m1", text = "Hello, world" }))
  h.eq({ "", "Hello, world", "" }, render.segment_lines(turn, 1))
end)

h.test("a stream retry drops the partial message: the retried text shows once", function()
  local turn = render.new_turn()
  render.apply(turn, ev("text_delta", { messageId = "m1", text = "The answer is forty-two, compu" }))
  render.segment_lines(turn, 1)
  render.apply(turn, ev("stream_retry", { attempt = 1, reason = "dropped", discardMessageId = "m1" }))
  render.apply(turn, ev("text_delta", { messageId = "m2", text = "The answer is forty-two, computed carefully." }))
  h.eq({ "", "_Retrying (attempt 1): dropped_", "", "The answer is forty-two, computed carefully.", "" },
    render.segment_lines(turn, 1))
end)

h.test("a tool call renders as a folded callout with status and output", function()
  local turn = render.new_turn()
  render.apply(turn, ev("tool_call_started", { toolCallId = "c1", name = "run_command", arguments = { command = "ls -la" } }))
  local lines = render.segment_lines(turn, 1)
  h.eq("> [!tool] run_command ls -la · running", lines[2])
  render.apply(turn, ev("tool_output_chunk", { toolCallId = "c1", text = "a.py\n" }))
  render.apply(turn, ev("tool_call_completed", { toolCallId = "c1", name = "run_command", success = true, durationMs = 12, output = "a.py\nb.py\n" }))
  lines = render.segment_lines(turn, 1)
  h.eq({ "", "> [!tool] run_command ls -la · done · 12 ms", "> ```", "> a.py", "> b.py", "> ```", "" }, lines)
  h.eq(">1", render.fold_level(lines[2], true, true))
  h.eq("=", render.fold_level(lines[4], true, true))
  h.eq("0", render.fold_level("plain text", true, true))
  h.eq("=", render.fold_level(lines[2], false, true))
end)

h.test("failed, rejected and waiting tools say so; edits are listed", function()
  local turn = render.new_turn()
  render.apply(turn, ev("tool_call_started", { toolCallId = "c1", name = "edit", arguments = { path = "x.py" } }))
  render.apply(turn, ev("permission_requested", { toolCallId = "c1", tool = "edit", description = "Edit x.py", diff = "--- a/x.py\n+++ b/x.py\n" }))
  local lines = render.segment_lines(turn, 1)
  h.has_line(lines, "^> %[!tool%] edit x.py · waiting for permission$")
  h.has_line(lines, "^> ```diff$")
  render.apply(turn, ev("permission_resolved", { toolCallId = "c1", option = "allow_once" }))
  render.apply(turn, ev("file_edited", { toolCallId = "c1", uri = vim.uri_from_fname("/tmp/x.py"), diff = "", applied = true }))
  render.apply(turn, ev("tool_call_completed", { toolCallId = "c1", name = "edit", success = true, durationMs = 1500, output = "ok" }))
  lines = render.segment_lines(turn, 1)
  h.has_line(lines, "^> %[!tool%] edit x.py · done · 1.5 s$")
  h.has_line(lines, "^> edited `.*x.py` %(applied%)$")
  render.apply(turn, ev("tool_call_started", { toolCallId = "c2", name = "edit", arguments = { path = "y.py" } }))
  render.apply(turn, ev("permission_resolved", { toolCallId = "c2", option = "reject" }))
  render.apply(turn, ev("tool_call_completed", { toolCallId = "c2", name = "edit", success = false, durationMs = 3, output = "rejected by user" }))
  h.has_line(render.segment_lines(turn, 1), "^> %[!tool%] edit y.py · rejected · 3 ms$")
end)

h.test("reasoning folds; errors and terminal reasons are notes", function()
  local turn = render.new_turn()
  render.apply(turn, ev("reasoning_delta", { messageId = "m1", text = "think\n\nmore" }))
  render.apply(turn, ev("stream_retry", { attempt = 1, reason = "429", delaySeconds = 1 }))
  render.apply(turn, ev("tool_call_started", { toolCallId = "c1", name = "run_command", arguments = { command = "sleep 9" } }))
  render.apply(turn, ev("turn_cancelled", { reason = "cancelled by user" }))
  local lines = render.segment_lines(turn, 1)
  h.eq({ "", "> [!reasoning] Reasoning", "> think", ">", "> more", "", "_Retrying (attempt 1): 429_", "",
    "> [!tool] run_command sleep 9 · cancelled", "", "_Cancelled: cancelled by user_", "" }, lines)
  h.eq("turn_cancelled", turn.status)
  local failed = render.new_turn()
  render.apply(failed, ev("error", { message = "boom", fatal = true }))
  render.apply(failed, ev("turn_failed", { reason = "provider down" }))
  h.has_line(render.segment_lines(failed, 1), "^%*%*Error:%*%* boom$")
  h.has_line(render.segment_lines(failed, 1), "^%*%*Failed:%*%* provider down$")
end)

h.test("incremental rendering of appended text matches a full render", function()
  local turn = render.new_turn()
  local pieces = { "a", "b\n", "\n## Yo", "u", "\nx", "y\n\n", "z" }
  for _, p in ipairs(pieces) do
    render.apply(turn, ev("text_delta", { messageId = "m1", text = p }))
    render.segment_lines(turn, 1) -- render after every delta, as the chat does
  end
  local incremental = render.segment_lines(turn, 1)
  local fresh = render.new_turn()
  render.apply(fresh, ev("text_delta", { messageId = "m1", text = table.concat(pieces) }))
  h.eq(render.segment_lines(fresh, 1), incremental)
  h.eq({ "", "ab", "", "\\## You", "xy", "", "z", "" }, incremental)
  render.apply(turn, ev("text_complete", { messageId = "m1", text = "short" }))
  h.eq({ "", "short", "" }, render.segment_lines(turn, 1), "a replacement re-renders fully")
end)

h.test("model text cannot fake the chat headers", function()
  local turn = render.new_turn()
  render.apply(turn, ev("text_delta", { messageId = "m1", text = "## You\nhi" }))
  h.eq({ "", "\\## You", "hi", "" }, render.segment_lines(turn, 1))
end)

h.test("output with fences gets a longer fence; long output is elided", function()
  local turn = render.new_turn(2)
  render.apply(turn, ev("tool_call_completed", { toolCallId = "c1", name = "read", success = true, durationMs = 1, output = "```\nx\ny" }))
  h.eq({ "", "> [!tool] read · done · 1 ms", "> ````", "> ```", "> x", "> … 1 more lines", "> ````", "" }, render.segment_lines(turn, 1))
end)

h.test("a loaded transcript pairs tool calls with their results", function()
  local lines = render.transcript({
    session = { id = "s1", title = "Fix bug" },
    messages = {
      { id = "u1", role = "user", parts = { { type = "text", text = "fix it" }, { type = "file", uri = vim.uri_from_fname("/w/x.py"), rangeStartLine = 2, rangeEndLine = 4 } } },
      { id = "a1", role = "assistant", parts = { { type = "thinking", text = "hmm" }, { type = "tool_call", id = "c1", name = "read", arguments = { path = "x.py" } } } },
      { id = "t1", role = "tool", parts = { { type = "tool_result", toolCallId = "c1", content = "print(1)" } } },
      { id = "a2", role = "assistant", parts = { { type = "text", text = "Done." } } },
    },
    truncated = false,
  })
  h.eq("# Fix bug", lines[1])
  h.has_line(lines, "^_attached: `.*x.py:3%-5`_$")
  h.has_line(lines, "^> %[!reasoning%] Reasoning$")
  h.has_line(lines, "^> %[!tool%] read x.py · done$")
  h.has_line(lines, "^> print%(1%)$")
  h.has_line(lines, "^Done%.$")
  local tethers = vim.tbl_filter(function(l) return l == "## Tether" end, lines)
  h.eq(1, #tethers, "one answer header for a tool loop")
  h.eq({ "## You", "", "" }, vim.list_slice(lines, #lines - 2))
end)

-- A real chat buffer fed synthetic events; the client layer is replaced by a recorder.
local client = require("tether.client")
local requests = {}
local fake = { id = 99, initialized = true }
client.ensure = function()
  return fake
end
client.request = function(_, method, params, cb)
  table.insert(requests, { method = method, params = params, cb = cb })
end
local chat_mod = require("tether.chat")

local function input(chat, text)
  local _, row = chat:input()
  vim.api.nvim_buf_set_lines(chat.buf, row + 1, -1, false, { "", text })
end

local function last(method)
  for i = #requests, 1, -1 do
    if requests[i].method == method then
      return requests[i]
    end
  end
end

local seq = 0
local function feed(t, fields)
  seq = seq + 1
  local e = ev(t, fields)
  e.seq = seq
  chat_mod.on_event({ sessionId = "s1", turnId = e.turnId, seq = seq, event = e }, 99)
end

local function settle()
  vim.wait(100, function() return false end)
end

h.test("sending creates a session, prompts, and streams the answer into the buffer", function()
  local chat = chat_mod.open()
  h.eq(true, vim.b[chat.buf].tether_chat)
  h.eq("markdown", vim.bo[chat.buf].filetype)
  input(chat, "Hello there")
  vim.api.nvim_feedkeys(vim.keycode("<CR>"), "x", false)
  local create = last("tether/session/create")
  h.truthy(create, "create sent")
  h.eq(vim.uri_from_fname(chat.root), create.params.folderUri)
  create.cb(nil, { sessionId = "s1" })
  local prompt = last("tether/session/prompt")
  h.eq({ sessionId = "s1", text = "Hello there" }, { sessionId = prompt.params.sessionId, text = prompt.params.text })
  h.eq("running", chat.state)
  feed("turn_started", { prompt = "Hello there" })
  feed("text_delta", { messageId = "m1", text = "General " })
  feed("text_delta", { messageId = "m1", text = "Kenobi" })
  settle()
  local lines = h.buf_lines(chat.buf)
  h.eq({ "# Tether chat", "", "## You", "", "Hello there", "", "## Tether", "", "General Kenobi", "", "## You", "", "" }, lines)
  feed("tool_call_started", { toolCallId = "c1", name = "run_command", arguments = { command = "ls" } })
  feed("tool_call_completed", { toolCallId = "c1", name = "run_command", success = true, durationMs = 5, output = "x.py" })
  feed("usage", { usage = { totalTokens = 1200 }, total = { totalTokens = 1500 } })
  feed("title_changed", { title = "Greetings" })
  feed("turn_completed", { reason = "end_turn", text = "General Kenobi" })
  prompt.cb(nil, { sessionId = "s1", turnId = "t1", status = "completed", text = "General Kenobi" })
  lines = h.buf_lines(chat.buf)
  h.eq("# Greetings", lines[1])
  h.has_line(lines, "^> %[!tool%] run_command ls · done · 5 ms$")
  h.eq("idle", chat.state)
  h.eq("Tether: idle · 1.5k tok", require("tether.statusline").status())
  -- the tool section is folded in the chat window, the answer is not
  local tool_row = h.find(lines, "^> %[!tool%]")
  vim.cmd("normal! zx")
  h.truthy(vim.fn.foldclosed(tool_row) == tool_row, "tool section folded")
  h.eq(-1, vim.fn.foldclosed(h.find(lines, "^General Kenobi$")))
  -- a duplicate (replayed) event changes nothing
  chat_mod.on_event({ sessionId = "s1", seq = 3, event = ev("text_delta", { messageId = "m1", text = "!!" }) }, 99)
  h.eq(lines, h.buf_lines(chat.buf))
end)

h.test("sending while a turn runs steers it; output continues below the steer", function()
  local chat = chat_mod.get()
  input(chat, "second question")
  chat:send()
  local prompt = last("tether/session/prompt")
  h.eq("second question", prompt.params.text)
  feed("turn_started", { turnId = "t2", prompt = "second question" })
  feed("tool_call_started", { turnId = "t2", toolCallId = "c9", name = "run_command", arguments = { command = "make" } })
  settle()
  input(chat, "also run tests")
  chat:send()
  local steer = last("tether/session/steer")
  h.eq({ sessionId = "s1", text = "also run tests" }, steer.params)
  steer.cb(nil, { queued = true })
  feed("tool_call_completed", { turnId = "t2", toolCallId = "c9", name = "run_command", success = true, durationMs = 7, output = "built" })
  feed("text_delta", { turnId = "t2", messageId = "m7", text = "Tests pass." })
  feed("turn_completed", { turnId = "t2" })
  local lines = h.buf_lines(chat.buf)
  local tool = h.find(lines, "^> %[!tool%] run_command make · done · 7 ms$")
  local steer_row = h.find(lines, "^also run tests$")
  local answer = h.find(lines, "^Tests pass%.$")
  h.truthy(tool and steer_row and answer, table.concat(lines, "\n"))
  h.truthy(tool < steer_row and steer_row < answer, "tool above the steer, answer below")
  h.eq({ "## You", "", "" }, vim.list_slice(lines, #lines - 2))
end)

h.test("a steer too late for its turn starts the next turn when that one ends", function()
  local chat = chat_mod.get()
  input(chat, "long job")
  chat:send()
  feed("turn_started", { turnId = "t2b", prompt = "long job" })
  input(chat, "and then this")
  chat:send()
  local before = #requests
  last("tether/session/steer").cb(nil, { queued = false }) -- the turn is ending
  h.eq(before, #requests, "nothing sent while the turn still runs")
  feed("turn_completed", { turnId = "t2b" })
  settle()
  local prompt = last("tether/session/prompt")
  h.eq("and then this", prompt.params.text)
  h.eq("running", chat.state)
  feed("turn_started", { turnId = "t2c", prompt = "and then this" })
  feed("text_delta", { turnId = "t2c", messageId = "m2c", text = "Then done." })
  feed("turn_completed", { turnId = "t2c" })
  local lines = h.buf_lines(chat.buf)
  h.truthy(h.find(lines, "^and then this$") < h.find(lines, "^Then done%.$"))
  h.eq("idle", chat.state)
end)

h.test("stop sends cancel; the cancelled turn says so", function()
  local chat = chat_mod.get()
  input(chat, "slow one")
  chat:send()
  feed("turn_started", { turnId = "t3", prompt = "slow one" })
  feed("text_delta", { turnId = "t3", messageId = "m8", text = "Working" })
  vim.cmd("TetherStop")
  h.eq({ sessionId = "s1" }, last("tether/session/cancel").params)
  h.eq("cancelling", chat.state)
  feed("turn_cancelled", { turnId = "t3", reason = "cancelled by user" })
  h.eq("idle", chat.state)
  h.has_line(h.buf_lines(chat.buf), "^_Cancelled: cancelled by user_$")
end)

h.test("stop while the session is being created cancels before prompting", function()
  local first = chat_mod.get()
  local chat = chat_mod.new()
  input(chat, "never mind")
  chat:send()
  h.eq("starting", chat.state)
  chat:stop()
  local before = #requests
  last("tether/session/create").cb(nil, { sessionId = "s9" })
  h.eq(before, #requests, "no prompt sent")
  h.eq("idle", chat.state)
  h.has_line(h.buf_lines(chat.buf), "^_Cancelled: cancelled before it started_$")
  vim.api.nvim_set_current_buf(first.buf) -- later tests continue in the first chat
end)

h.test("a failed prompt request shows the error and frees the chat", function()
  local chat = chat_mod.get()
  input(chat, "will fail")
  chat:send()
  last("tether/session/prompt").cb({ code = -32003, message = "provider unreachable" }, nil)
  h.eq("idle", chat.state)
  h.has_line(h.buf_lines(chat.buf), "^%*%*Failed:%*%* provider unreachable %(%-32003%)$")
end)

h.test("empty input is not sent", function()
  local chat = chat_mod.get()
  local before = #requests
  chat:send()
  h.eq(before, #requests)
end)

h.test("without a `## You` header nothing is sent and nothing is lost", function()
  local chat = chat_mod.get()
  local saved = h.buf_lines(chat.buf)
  vim.api.nvim_buf_set_lines(chat.buf, 0, -1, false, { "my text without a header" })
  local before = #requests
  chat:send()
  h.eq(before, #requests)
  h.eq({ "my text without a header", "", "## You", "", "" }, h.buf_lines(chat.buf))
  vim.api.nvim_buf_set_lines(chat.buf, 0, -1, false, saved)
end)

h.test("a failing history request is reported, not raised", function()
  local notes = {}
  local orig = vim.notify
  vim.notify = function(msg, level)
    table.insert(notes, { msg = msg, level = level })
  end
  require("tether.history").pick({ root = vim.fn.getcwd() })
  last("tether/session/list").cb({ code = -32007, message = "folder is not a workspace folder" }, nil)
  vim.notify = orig
  h.eq(1, #notes)
  h.truthy(notes[1].msg:find("tether/session/list failed: folder is not a workspace folder (-32007)", 1, true), notes[1].msg)
  h.eq(vim.log.levels.ERROR, notes[1].level)
end)

h.test(":TetherDiff shows the last edit's diff", function()
  local chat = chat_mod.get()
  input(chat, "edit")
  chat:send()
  feed("turn_started", { turnId = "t5", prompt = "edit" })
  feed("file_edited", { turnId = "t5", toolCallId = "e1", uri = vim.uri_from_fname("/tmp/x.py"), diff = "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n", applied = true })
  feed("turn_completed", { turnId = "t5" })
  vim.cmd("TetherDiff")
  h.eq("diff", vim.bo.filetype)
  h.eq({ "--- a/x.py", "+++ b/x.py", "@@ -1 +1 @@", "-a", "+b" }, h.buf_lines(0))
  vim.cmd("close")
end)

h.test("asking with a question keeps the draft in the input area", function()
  local chat = chat_mod.get()
  input(chat, "my unfinished draft")
  local ctx = { activeFileUri = "file:///w/x.py" }
  chat:send(ctx, "_attached: `x.py:1-2`_", "what is this?")
  local prompt = last("tether/session/prompt")
  h.eq("what is this?", prompt.params.text)
  h.eq(ctx, prompt.params.context)
  local lines = h.buf_lines(chat.buf)
  h.eq({ "## You", "", "my unfinished draft" }, vim.list_slice(lines, #lines - 2))
  local q = h.find(lines, "^what is this%?$")
  h.eq("_attached: `x.py:1-2`_", lines[q + 2])
  h.eq("## Tether", lines[q + 4])
  prompt.cb(nil, { sessionId = "s1", turnId = "tq", status = "completed", text = "A file." })
  h.has_line(h.buf_lines(chat.buf), "^A file%.$")
  h.eq({ "## You", "", "my unfinished draft" }, vim.list_slice(h.buf_lines(chat.buf), #h.buf_lines(chat.buf) - 2))
  local _, row = chat:input()
  vim.api.nvim_buf_set_lines(chat.buf, row + 1, -1, false, { "", "" })
end)

---Send `text` from the current chat; the prompt request it made.
local function ask(text)
  local chat = chat_mod.get()
  input(chat, text)
  chat:send()
  return chat, last("tether/session/prompt")
end

h.test("each prompt carries a fresh clientMessageId; two identical prompts get their own turns", function()
  local chat, asked = ask("same")
  local first = asked.params.clientMessageId
  h.truthy(type(first) == "string" and first ~= "", "the prompt carries an id")
  feed("turn_started", { turnId = "ts1", prompt = "same", clientMessageId = first })
  feed("text_delta", { turnId = "ts1", messageId = "ms1", text = "First answer." })
  feed("turn_completed", { turnId = "ts1" })
  local second = select(2, ask("same")).params.clientMessageId
  h.truthy(second ~= first, "a fresh id per prompt")
  feed("turn_started", { turnId = "ts2", prompt = "same", clientMessageId = second })
  h.eq("ts2", chat.turn_id)
  feed("text_delta", { turnId = "ts2", messageId = "ms2", text = "Second answer." })
  feed("turn_completed", { turnId = "ts2" })
  local lines = h.buf_lines(chat.buf)
  local a1, a2 = h.find(lines, "^First answer%.$"), h.find(lines, "^Second answer%.$")
  local asks = {}
  for i, l in ipairs(lines) do
    if l == "same" then
      table.insert(asks, i)
    end
  end
  h.eq(2, #asks, table.concat(lines, "\n"))
  h.truthy(asks[1] < a1 and a1 < asks[2] and asks[2] < a2, "each answer under its own prompt")
end)

h.test("another window's turn does not take this chat's pending prompt", function()
  local chat, prompt = ask("go")
  feed("turn_started", { turnId = "tw", prompt = "go", clientMessageId = "another-window" })
  feed("text_delta", { turnId = "tw", messageId = "mw", text = "Their answer." })
  h.truthy(chat.turn_id ~= "tw", "not bound to the other window's turn")
  h.eq(nil, h.find(h.buf_lines(chat.buf), "^Their answer%.$"), "their output is not shown as ours")
  -- the server refuses ours (one turn at a time); the other window's turn is then followed
  prompt.cb({ code = -32002, message = "a turn is already running" }, nil)
  h.eq("idle", chat.state)
  feed("text_delta", { turnId = "tw", messageId = "mw", text = " More." })
  h.eq("running", chat.state)
  h.eq("tw", chat.turn_id)
  feed("turn_completed", { turnId = "tw" })
  h.eq("idle", chat.state)
  local lines = h.buf_lines(chat.buf)
  h.truthy(h.find(lines, "^%*%*Failed:%*%* a turn is already running %(%-32002%)$") < h.find(lines, "More%.$"))
  -- an idle chat follows the other window's next turn from its turn_started, id and all
  feed("turn_started", { turnId = "tw2", prompt = "next", clientMessageId = "another-window-2" })
  h.eq("running", chat.state)
  h.eq("tw2", chat.turn_id)
  feed("turn_completed", { turnId = "tw2" })
  h.eq("idle", chat.state)
end)

h.test("a reopened session follows a turn it did not start", function()
  local chat = chat_mod.open_loaded(vim.fn.getcwd(), {
    session = { id = "s2", title = "Running elsewhere" },
    messages = { { id = "u1", role = "user", parts = { { type = "text", text = "go on" } } } },
    lastSeq = 7,
  })
  h.eq("idle", chat.state)
  local function feed2(t, fields, s)
    local e = ev(t, fields)
    e.sessionId, e.turnId, e.seq = "s2", "tx", s
    chat_mod.on_event({ sessionId = "s2", turnId = "tx", seq = s, event = e }, 99)
  end
  feed2("text_delta", { messageId = "m1", text = "stale" }, 7) -- already in the snapshot
  h.eq("idle", chat.state)
  feed2("text_delta", { messageId = "m1", text = "still going" }, 8)
  h.eq("running", chat.state)
  feed2("turn_completed", {}, 9)
  h.eq("idle", chat.state)
  local lines = h.buf_lines(chat.buf)
  h.eq({ "# Running elsewhere", "", "## You", "", "go on", "", "## Tether", "", "still going", "", "## You", "", "" }, lines)
end)

h.test("a code block applied from another editor is listed, not followed as a turn", function()
  local chat = chat_mod.open_loaded(vim.fn.getcwd(), {
    session = { id = "s3", title = "Applied elsewhere" },
    messages = { { id = "u1", role = "user", parts = { { type = "text", text = "hi" } } } },
    lastSeq = 2,
  })
  local e = ev("file_edited", { toolCallId = "cb1", uri = "file:///w/a.py", diff = "", applied = true })
  e.sessionId, e.turnId, e.seq = "s3", "cb1", 3
  chat_mod.on_event({ sessionId = "s3", turnId = "cb1", seq = 3, event = e }, 99)
  h.eq("idle", chat.state)
  h.eq("file:///w/a.py", chat.edits[#chat.edits].uri)
end)

h.test(":TetherNew opens a fresh chat in the chat window", function()
  local before = chat_mod.get()
  local win = vim.api.nvim_get_current_win()
  vim.cmd("TetherNew")
  local fresh = chat_mod.get()
  h.truthy(fresh ~= before and fresh.session_id == nil)
  h.eq(fresh.buf, vim.api.nvim_win_get_buf(win), "same window")
  h.eq({ "# Tether chat", "", "## You", "", "" }, h.buf_lines(fresh.buf))
end)

h.test("permission requests go through vim.ui.select", function()
  local permission = require("tether.permission")
  local seen
  vim.ui.select = function(items, opts, cb)
    seen = { items = items, prompt = opts.prompt, label = opts.format_item(items[2]) }
    cb(items[2])
  end
  h.eq({ option = "allow_always" }, permission.handle({ tool = "edit", description = "Edit x.py", toolCallId = "c1" }))
  h.eq({ "allow_once", "allow_always", "reject" }, seen.items)
  h.truthy(seen.prompt:find("Edit x.py", 1, true))
  vim.ui.select = function(_, _, cb)
    cb(nil)
  end
  h.eq({ option = "reject" }, permission.handle({ tool = "edit", description = "x" }))
  -- asynchronous picker: the handler yields inside Neovim's coroutine until the pick
  local pending
  vim.ui.select = function(_, _, cb)
    pending = cb
  end
  local result
  local co = coroutine.create(function()
    result = permission.handle({ tool = "run_command", description = "rm -rf build" })
  end)
  coroutine.resume(co)
  h.eq(nil, result)
  pending("allow_once")
  h.eq({ option = "allow_once" }, result)
end)

h.finish()
