---The turn model: session events folded into blocks (text, reasoning, tool calls, notes),
---each tagged with the segment it renders in. Pure: no buffers, no editor state.
local TERMINAL = require("tether.types").terminal_events

local M = {}

---@class tether.turn.Block
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
---@field description string|nil

---@class tether.turn.Turn
---@field blocks tether.turn.Block[]
---@field by_key table<string, tether.turn.Block>
---@field segment integer
---@field status string|nil terminal event type once ended
---@field reason string|nil
---@field max_output_lines integer
---@field compacting tether.turn.Block|nil the note of a compaction in progress

---@param max_output_lines integer|nil
---@return tether.turn.Turn
function M.new_turn(max_output_lines)
  return { blocks = {}, by_key = {}, segment = 1, max_output_lines = max_output_lines or 200 }
end

---@param turn tether.turn.Turn
---@param kind string
---@param key string|nil
---@return tether.turn.Block
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

---@param turn tether.turn.Turn
---@param text string
---@return tether.turn.Block
local function note(turn, text)
  local b = block(turn, "note", nil)
  b.text = text
  return b
end

---Remove the text and reasoning blocks of one streamed message.
---@param turn tether.turn.Turn
---@param message_id string
local function drop_message(turn, message_id)
  for _, kind in ipairs({ "text", "reasoning" }) do
    local b = turn.by_key[kind .. ":" .. message_id]
    if b then
      turn.by_key[kind .. ":" .. message_id] = nil
      for i, other in ipairs(turn.blocks) do
        if other == b then
          table.remove(turn.blocks, i)
          break
        end
      end
    end
  end
end

---Start a new segment (after the user steered the running turn): later blocks render there.
---@param turn tether.turn.Turn
---@return integer segment
function M.next_segment(turn)
  turn.segment = turn.segment + 1
  return turn.segment
end

---Fold one event into the turn.
---@param turn tether.turn.Turn
---@param ev tether.SessionEvent|table the `event` of a tether/session/event notification
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
    if ev.discardMessageId then
      -- The retry streams under a fresh message id: drop the partial shown so far.
      drop_message(turn, ev.discardMessageId)
    end
    return note(turn, ("_Retrying (attempt %d): %s_"):format(ev.attempt or 1, ev.reason or "")).segment
  elseif t == "context_truncated" then
    return note(
      turn,
      ("_Context full: the %d oldest messages were left out of the request._"):format(
        ev.droppedMessages or 0
      )
    ).segment
  elseif t == "compaction_started" then
    local b = block(turn, "note", "compaction:" .. tostring(ev.seq or #turn.blocks))
    b.text = ("_Compacting context: summarising older messages (%s tokens)…_"):format(
      M.tokens(ev.tokensBefore or 0)
    )
    turn.compacting = b
    return b.segment
  elseif t == "compaction_completed" or t == "compaction_failed" then
    local b = turn.compacting or note(turn, "")
    turn.compacting = nil
    if t == "compaction_completed" then
      b.text = ("_Context compacted: %s → %s tokens (%d messages summarised)_"):format(
        M.tokens(ev.tokensBefore or 0),
        M.tokens(ev.tokensAfter or 0),
        ev.summarizedMessages or 0
      )
    else
      b.text = "_Compaction failed: " .. (ev.reason or "unknown reason") .. "_"
    end
    return b.segment
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
      note(turn, M.continue_hint())
    end
    if turn.compacting then
      turn.compacting.text = "_Compaction failed: the turn ended first_"
      turn.compacting = nil
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

---Token counts as the chat shows them: 950, 9.3k, 128k, 1.2M.
---@param n integer
---@return string
function M.tokens(n)
  if n >= 1000000 then
    return ("%.1fM"):format(n / 1000000)
  elseif n >= 10000 then
    return ("%dk"):format(math.floor(n / 1000 + 0.5))
  elseif n >= 1000 then
    return ("%.1fk"):format(n / 1000)
  end
  return tostring(n)
end

---The line after a step-limit stop: how to resume (the keymap when one is set).
---@return string
function M.continue_hint()
  local ok, config = pcall(require, "tether.config")
  local key = ok and config.options.chat and config.options.chat.keymaps.continue or nil
  if type(key) == "string" and key ~= "" then
    return ("_Press `%s` or run `:TetherContinue` to resume from the checkpoint._"):format(key)
  end
  return "_Run `:TetherContinue` to resume from the checkpoint._"
end

---Text of a stored message (its text parts).
---@param msg table
---@return string
function M.message_text(msg)
  local out = {}
  for _, part in ipairs(msg.parts or {}) do
    if part.type == "text" and not (type(part._meta) == "table" and part._meta.context) then
      table.insert(out, part.text or "")
    end
  end
  return table.concat(out)
end

M.block = block
M.note = note

return M
