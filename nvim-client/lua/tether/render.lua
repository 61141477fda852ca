---Pure rendering: session events and stored messages → markdown lines of the chat buffer.
---No editor state here, so the whole transcript format is testable from fake events.
---
---Layout of a chat buffer:
---  # <title>
---  ## You          (a user message; the last `## You` is the input area)
---  ## Tether       (an answer: text, and sections the chat folds:)
---  > [!reasoning] Reasoning
---  > [!tool] edit x.py · done · 12 ms
local turn_mod = require("tether.turn")

local M = {}

-- The turn model, re-exported: callers fold events and render through one module.
M.new_turn = turn_mod.new_turn
M.next_segment = turn_mod.next_segment
M.apply = turn_mod.apply
M.message_text = turn_mod.message_text
local block, note = turn_mod.block, turn_mod.note

M.USER_HEADER = "## You"
M.AGENT_HEADER = "## Tether"

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
---@param b tether.turn.Block
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
---@param b tether.turn.Block
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
    vim.list_extend(lines, split(b.text or ""))
  end
end

---A block's lines, re-rendered only when a field it shows changed: a long answer streams
---as thousands of deltas, and re-splitting all of its text on each would grow quadratic.
---(Strings are interned, so these comparisons are O(1).)
---@param b tether.turn.Block
---@param max_output integer
---@return string[]
local function cached_lines(b, max_output)
  local c = b._render
  local edits = b.edits and #b.edits or 0
  if
    c
    and c.text == b.text
    and c.status == b.status
    and c.output == b.output
    and c.name == b.name
    and c.elapsed == b.elapsed_ms
    and c.duration == b.duration_ms
    and c.edits == edits
    and c.diff == b.diff
    and c.description == b.description
  then
    return c.lines
  end
  local lines, last_raw = {}, nil
  local text = b.text or ""
  if b.kind == "text" and c and c.text and #text > #c.text and text:sub(1, #c.text) == c.text then
    -- Appended text: earlier lines are final; re-split only the last one and what came.
    lines = c.lines -- only this cache holds it: extend in place
    lines[#lines] = nil
    local pieces = split(c.last_raw .. text:sub(#c.text + 1))
    for _, l in ipairs(pieces) do
      table.insert(lines, escape(l))
    end
    last_raw = pieces[#pieces]
  else
    block_lines(lines, b, max_output)
    if b.kind == "text" then
      local pieces = split(text)
      last_raw = pieces[#pieces]
    end
  end
  b._render = {
    last_raw = last_raw,
    text = b.text,
    status = b.status,
    output = b.output,
    name = b.name,
    elapsed = b.elapsed_ms,
    duration = b.duration_ms,
    edits = edits,
    diff = b.diff,
    description = b.description,
    lines = lines,
  }
  return lines
end

---The body lines of one segment (everything under its `## Tether` header): a blank line,
---then each block followed by a blank line.
---@param turn tether.turn.Turn
---@param segment integer
---@return string[]
function M.segment_lines(turn, segment)
  local lines = { "" }
  for _, b in ipairs(turn.blocks) do
    if b.segment == segment then
      local n = #lines
      for i, l in ipairs(cached_lines(b, turn.max_output_lines)) do
        lines[n + i] = l
      end
      lines[#lines + 1] = ""
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
        local last = part.rangeEndLine or part.rangeStartLine
        where = ("%s:%d-%d"):format(where, part.rangeStartLine + 1, last + 1)
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
  local turn = nil ---@type tether.turn.Turn|nil
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
