---Pure rendering: session events and stored messages → markdown lines of the chat buffer.
---No editor state here, so the whole transcript format is testable from fake events.
---
---Layout of a chat buffer:
---  # <title>
---  ## You          (a user message; the last `## You` is the input area)
---  ## Tether       (an answer: text, and sections the chat folds:)
---  > [!reasoning] Reasoning
---  > [!tool] edit x.py · done · 12 ms
local M = {}

M.USER_HEADER = "## You"
M.AGENT_HEADER = "## Tether"

---@class tether.render.Block
---@field kind "text"|"reasoning"|"tool"|"note"
---@field key string|nil
---@field segment integer
---@field text string|nil
---@field name string|nil
---@field arguments table|nil
---@field status string|nil  running|waiting|done|failed|rejected
---@field output string|nil
---@field duration_ms integer|nil
---@field elapsed_ms integer|nil
---@field edits table[]|nil
---@field diff string|nil

---@class tether.render.Turn
---@field blocks tether.render.Block[]
---@field by_key table<string, tether.render.Block>
---@field segment integer
---@field status string|nil terminal event type once ended
---@field reason string|nil
---@field max_output_lines integer

---@param max_output_lines integer|nil
---@return tether.render.Turn
function M.new_turn(max_output_lines)
  return { blocks = {}, by_key = {}, segment = 1, max_output_lines = max_output_lines or 200 }
end

---@param turn tether.render.Turn
---@param kind string
---@param key string|nil
---@return tether.render.Block
local function block(turn, kind, key)
  local full = key and (kind .. ":" .. key) or nil
  if full and turn.by_key[full] then
    return turn.by_key[full]
  end
  local b = { kind = kind, key = key, segment = turn.segment }
  table.insert(turn.blocks, b)
  if full then
    turn.by_key[full] = b
  end
  return b
end

---@param turn tether.render.Turn
---@param text string
---@return tether.render.Block
local function note(turn, text)
  local b = block(turn, "note", nil)
  b.text = text
  return b
end

---Start a new segment (after the user steered the running turn): later blocks render there.
---@param turn tether.render.Turn
---@return integer segment
function M.next_segment(turn)
  turn.segment = turn.segment + 1
  return turn.segment
end

local TERMINAL = {
  turn_completed = true,
  turn_cancelled = true,
  turn_failed = true,
  step_limit_reached = true,
}
M.TERMINAL = TERMINAL

---@param ev table
---@return boolean
function M.is_terminal(ev)
  return TERMINAL[ev.type] == true
end

---Fold one event into the turn.
---@param turn tether.render.Turn
---@param ev table the `event` of a tether/session/event notification
---@return integer|nil segment that changed (nil: nothing visible changed)
function M.apply(turn, ev)
  local t = ev.type
  if t == "text_delta" then
    local b = block(turn, "text", ev.messageId)
    b.text = (b.text or "") .. (ev.text or "")
    return b.segment
  elseif t == "reasoning_delta" then
    local b = block(turn, "reasoning", ev.messageId)
    b.text = (b.text or "") .. (ev.text or "")
    return b.segment
  elseif t == "text_complete" then
    if (ev.text or "") == "" and not turn.by_key["text:" .. tostring(ev.messageId)] then
      return nil
    end
    local b = block(turn, "text", ev.messageId)
    b.text = ev.text or ""
    return b.segment
  elseif t == "message_added" then
    local msg = ev.message or {}
    if msg.role ~= "assistant" or turn.by_key["text:" .. tostring(msg.id)] then
      return nil
    end
    local text = M.message_text(msg)
    if text == "" then
      return nil
    end
    local b = block(turn, "text", msg.id)
    b.text = text
    return b.segment
  elseif t == "tool_call_started" then
    local b = block(turn, "tool", ev.toolCallId)
    b.name, b.arguments = ev.name, ev.arguments or {}
    b.status, b.output = "running", b.output or ""
    return b.segment
  elseif t == "tool_output_chunk" then
    local b = block(turn, "tool", ev.toolCallId)
    b.status = b.status or "running"
    b.output = (b.output or "") .. (ev.text or "")
    return b.segment
  elseif t == "tool_heartbeat" then
    local b = block(turn, "tool", ev.toolCallId)
    b.elapsed_ms = ev.elapsedMs
    return b.segment
  elseif t == "tool_call_completed" then
    local b = block(turn, "tool", ev.toolCallId)
    b.name = b.name or ev.name
    if b.status ~= "rejected" or ev.success then
      b.status = ev.success and "done" or "failed"
    end
    b.duration_ms = ev.durationMs
    b.output = ev.output or b.output or ""
    if ev.truncated then
      b.output = b.output .. "\n… (output truncated)"
    end
    return b.segment
  elseif t == "file_edited" then
    local b = block(turn, "tool", ev.toolCallId)
    b.edits = b.edits or {}
    table.insert(b.edits, { uri = ev.uri, applied = ev.applied, rebased = ev.rebased, message = ev.message })
    return b.segment
  elseif t == "permission_requested" then
    local b = block(turn, "tool", ev.toolCallId)
    b.name = b.name or ev.tool
    b.status = "waiting"
    b.diff = ev.diff
    b.description = ev.description
    return b.segment
  elseif t == "permission_resolved" then
    local b = block(turn, "tool", ev.toolCallId)
    b.status = ev.option == "reject" and "rejected" or "running"
    return b.segment
  elseif t == "stream_retry" then
    return note(turn, ("_Retrying (attempt %d): %s_"):format(ev.attempt or 1, ev.reason or "")).segment
  elseif t == "context_truncated" then
    return note(
      turn,
      ("_Context full: the %d oldest messages were left out of the request._"):format(
        ev.droppedMessages or 0
      )
    ).segment
  elseif t == "error" then
    return note(turn, "**Error:** " .. (ev.message or "unknown error")).segment
  elseif TERMINAL[t] then
    turn.status, turn.reason = t, ev.reason
    if t == "turn_cancelled" then
      note(turn, "_Cancelled: " .. (ev.reason or "cancelled") .. "_")
    elseif t == "turn_failed" then
      note(turn, "**Failed:** " .. (ev.reason or "unknown reason"))
    elseif t == "step_limit_reached" then
      note(turn, "_Stopped: " .. (ev.reason or "step limit reached") .. "_")
    end
    -- Tools still marked running when the turn ends did not finish.
    for _, b in ipairs(turn.blocks) do
      if b.kind == "tool" and (b.status == "running" or b.status == "waiting") then
        b.status = t == "turn_completed" and "done" or "cancelled"
      end
    end
    return turn.segment
  end
  return nil
end

---Text of a stored message (its text parts).
---@param msg table
---@return string
function M.message_text(msg)
  local out = {}
  for _, part in ipairs(msg.parts or {}) do
    if part.type == "text" then
      table.insert(out, part.text or "")
    end
  end
  return table.concat(out)
end

---@param s string
---@return string[]
local function split(s)
  return vim.split(s, "\n", { plain = true })
end

---Model text must not fake the chat's own headers (the last `## You` is the input area).
---@param line string
---@return string
local function escape(line)
  if line:match("^## You%s*$") or line:match("^## Tether%s*$") then
    return "\\" .. line
  end
  return line
end

---@param text string
---@param max integer|nil
---@return string
local function shorten(text, max)
  max = max or 60
  text = text:gsub("%s+", " ")
  if vim.fn.strchars(text) > max then
    return vim.fn.strcharpart(text, 0, max - 1) .. "…"
  end
  return text
end

---A one-line summary of tool arguments: the path or command when there is one.
---@param args table|nil
---@return string
function M.tool_summary(args)
  if type(args) ~= "table" then
    return ""
  end
  for _, key in ipairs({ "path", "command", "query", "pattern", "uri", "file" }) do
    if type(args[key]) == "string" then
      return shorten(args[key])
    end
  end
  local ok, json = pcall(vim.json.encode, args)
  if ok and json ~= "{}" and json ~= "[]" then
    return shorten(json)
  end
  return ""
end

---@param ms integer|nil
---@return string
local function duration(ms)
  if not ms then
    return ""
  end
  if ms < 1000 then
    return ("%d ms"):format(ms)
  end
  return ("%.1f s"):format(ms / 1000)
end

local STATUS_TEXT = {
  running = "running",
  waiting = "waiting for permission",
  done = "done",
  failed = "failed",
  rejected = "rejected",
  cancelled = "cancelled",
}

---@param lines string[]
---@param text string
local function quoted(lines, text)
  for _, l in ipairs(split(text)) do
    table.insert(lines, l == "" and ">" or ("> " .. l))
  end
end

---A fence longer than any backtick run at the start of a line of `text`.
---@param text string
---@return string
local function fence_for(text)
  local longest = 2
  for run in text:gmatch("```+") do
    longest = math.max(longest, #run)
  end
  return string.rep("`", longest + 1)
end

---@param lines string[]
---@param b tether.render.Block
---@param max_output integer
local function tool_lines(lines, b, max_output)
  local parts = { b.name or "tool" }
  local summary = M.tool_summary(b.arguments)
  if summary ~= "" then
    table.insert(parts, summary)
  end
  local status = STATUS_TEXT[b.status or "running"] or b.status
  if b.status == "running" and b.elapsed_ms then
    status = status .. " " .. duration(b.elapsed_ms)
  end
  table.insert(parts, "· " .. status)
  if b.duration_ms then
    table.insert(parts, "· " .. duration(b.duration_ms))
  end
  table.insert(lines, "> [!tool] " .. table.concat(parts, " "))
  if b.description and b.status == "waiting" then
    quoted(lines, b.description)
  end
  for _, e in ipairs(b.edits or {}) do
    local path = e.uri and vim.uri_to_fname(e.uri) or "?"
    local state = e.applied and (e.rebased and "applied after rebase" or "applied")
      or ("not applied" .. (e.message and (": " .. e.message) or ""))
    table.insert(lines, ("> edited `%s` (%s)"):format(vim.fn.fnamemodify(path, ":~:."), state))
  end
  if b.diff and b.status == "waiting" then
    local fence = fence_for(b.diff)
    table.insert(lines, "> " .. fence .. "diff")
    quoted(lines, (b.diff:gsub("\n$", "")))
    table.insert(lines, "> " .. fence)
  end
  local output = (b.output or ""):gsub("\n+$", "")
  if output ~= "" then
    local out_lines = split(output)
    if #out_lines > max_output then
      local more = #out_lines - max_output
      out_lines = vim.list_slice(out_lines, 1, max_output)
      table.insert(out_lines, ("… %d more lines"):format(more))
    end
    local fence = fence_for(output)
    table.insert(lines, "> " .. fence)
    quoted(lines, table.concat(out_lines, "\n"))
    table.insert(lines, "> " .. fence)
  end
end

---@param lines string[]
---@param b tether.render.Block
---@param max_output integer
local function block_lines(lines, b, max_output)
  if b.kind == "text" then
    for _, l in ipairs(split(b.text or "")) do
      table.insert(lines, escape(l))
    end
  elseif b.kind == "reasoning" then
    table.insert(lines, "> [!reasoning] Reasoning")
    quoted(lines, (b.text or ""):gsub("\n+$", ""))
  elseif b.kind == "tool" then
    tool_lines(lines, b, max_output)
  else
    table.insert(lines, b.text or "")
  end
end

---The body lines of one segment (everything under its `## Tether` header): a blank line,
---then each block followed by a blank line.
---@param turn tether.render.Turn
---@param segment integer
---@return string[]
function M.segment_lines(turn, segment)
  local lines = { "" }
  for _, b in ipairs(turn.blocks) do
    if b.segment == segment then
      block_lines(lines, b, turn.max_output_lines)
      table.insert(lines, "")
    end
  end
  return lines
end

---@param title string|nil
---@return string
function M.title_line(title)
  if not title or title == "" then
    return "# Tether chat"
  end
  return "# " .. title:gsub("\n", " ")
end

---The lines of a sent user message (header, blank line, text, blank line).
---@param text string
---@return string[]
function M.user_lines(text)
  local lines = { M.USER_HEADER, "" }
  for _, l in ipairs(split(text)) do
    table.insert(lines, escape(l))
  end
  table.insert(lines, "")
  return lines
end

---A stored user message: its text and the files attached to it.
---@param msg table
---@return string
local function user_text(msg)
  local out = { M.message_text(msg) }
  for _, part in ipairs(msg.parts or {}) do
    if part.type == "file" and part.uri then
      local where = vim.fn.fnamemodify(vim.uri_to_fname(part.uri), ":~:.")
      if part.rangeStartLine then
        where = ("%s:%d-%d"):format(where, part.rangeStartLine + 1, (part.rangeEndLine or part.rangeStartLine) + 1)
      end
      table.insert(out, ("\n_attached: `%s`_"):format(where))
    end
  end
  return table.concat(out)
end

---The whole buffer for a loaded session (tether/session/load result), ending with an empty
---`## You` input area.
---@param result table {session, messages, truncated}
---@param max_output_lines integer|nil
---@return string[]
function M.transcript(result, max_output_lines)
  local session = result.session or {}
  local lines = { M.title_line(session.title), "" }
  if result.truncated then
    table.insert(lines, "_Older messages are not shown._")
    table.insert(lines, "")
  end
  local results = {} ---@type table<string, table>
  for _, msg in ipairs(result.messages or {}) do
    for _, part in ipairs(msg.parts or {}) do
      if part.type == "tool_result" then
        results[part.toolCallId] = part
      end
    end
  end
  local turn = nil ---@type tether.render.Turn|nil
  local function flush()
    if turn then
      table.insert(lines, M.AGENT_HEADER)
      vim.list_extend(lines, M.segment_lines(turn, 1))
      turn = nil
    end
  end
  for _, msg in ipairs(result.messages or {}) do
    if msg.role == "user" then
      flush()
      vim.list_extend(lines, M.user_lines(user_text(msg)))
    elseif msg.role == "assistant" then
      turn = turn or M.new_turn(max_output_lines)
      for _, part in ipairs(msg.parts or {}) do
        if part.type == "thinking" and (part.text or "") ~= "" then
          block(turn, "reasoning", nil).text = part.text
        elseif part.type == "text" and (part.text or "") ~= "" then
          block(turn, "text", nil).text = part.text
        elseif part.type == "tool_call" then
          local b = block(turn, "tool", part.id)
          local res = results[part.id]
          b.name, b.arguments = part.name, part.arguments or {}
          b.status = res and (res.isError and "failed" or "done") or "cancelled"
          b.output = res and res.content or ""
        end
      end
      if msg.interrupted then
        note(turn, "_Interrupted._")
      end
    end
  end
  flush()
  vim.list_extend(lines, { M.USER_HEADER, "", "" })
  return lines
end

---Fold level of a chat line: tool and reasoning sections fold, everything else is open.
---@param line string
---@param fold_tools boolean
---@param fold_reasoning boolean
---@return string
function M.fold_level(line, fold_tools, fold_reasoning)
  if (fold_tools and line:match("^> %[!tool%]")) or (fold_reasoning and line:match("^> %[!reasoning%]")) then
    return ">1"
  end
  if line:match("^>") then
    return "="
  end
  return "0"
end

return M
