---A chat session: one chat buffer's session and its running turn. Sending turns the text
---under the last `## You` into a prompt (or a steer while a turn runs); session events fold
---into the turn model and stream into the buffer.
local chatbuf = require("tether.chatbuf")
local client = require("tether.client")
local config = require("tether.config")
local context = require("tether.context")
local log = require("tether.log")
local render = require("tether.render")
local types = require("tether.types")

---@class tether.ChatSession
---@field buf integer
---@field root string
---@field client_id integer|nil
---@field session_id string|nil
---@field title string
---@field state "idle"|"starting"|"running"|"waiting"|"cancelling"
---@field turn tether.turn.Turn|nil
---@field turn_id string|nil
---@field segments table<integer, tether.Segment>
---@field dirty table<integer, boolean>
---@field flush_pending boolean
---@field last_seq integer
---@field usage table|nil session totals
---@field edits table[] file_edited events, newest last
---@field pending {text: string, ctx: table|nil, seg: tether.Segment}|nil a late steer
---@field stop_requested boolean|nil :TetherStop while the session was being created
---@field client_message_id string|nil the id sent with the running prompt (echoed on its turn_started)
---@field other_turn string|nil another window's turn that started while our prompt waited
local ChatSession = {}
ChatSession.__index = ChatSession

local sent_ids = 0

---A prompt's clientMessageId, unique across the editors on one session (pid, clock, counter):
---it is what tells this chat's turn from another window's.
---@return string
local function new_client_message_id()
  sent_ids = sent_ids + 1
  return ("nvim-%d-%x-%d"):format(vim.uv.os_getpid(), vim.uv.hrtime(), sent_ids)
end

---The chat's note for a code block the user applied (`tether/codeBlock/apply`, its own
---change set outside any turn): named as the user's, with the file and the lines it replaced.
---@param ev tether.FileEdited
---@return string
local function applied_block_note(ev)
  local block = ev.codeBlock
  local where = (block.startLine or 0) > 0 and (" lines %d-%d"):format(block.startLine, block.endLine)
    or " (the whole file)"
  local path = ev.path ~= "" and ev.path or vim.fn.fnamemodify(vim.uri_to_fname(ev.uri), ":~:.")
  return ("applied a code block to `%s`%s"):format(path, where)
end

---The chat whose state changed becomes the statusline's; listeners hear `User TetherStatus`.
---@param chat tether.ChatSession
local function status_changed(chat)
  require("tether.chat").last = chat
  pcall(vim.api.nvim_exec_autocmds, "User", { pattern = "TetherStatus", modeline = false })
  pcall(require("tether.progress").update, chat)
  -- every window's statusline, not only the current one's: one left on "running" after
  -- the turn ended is the bug users saw
  pcall(vim.cmd, "redrawstatus!")
end

function ChatSession:focus_input()
  chatbuf.focus_input(self.buf)
end

---@return boolean
function ChatSession:busy()
  return self.state ~= "idle"
end

---@param state string
function ChatSession:set_state(state)
  self.state = state
  status_changed(self)
  local pending = state == "idle" and self.pending
  if pending then
    -- A steer that came too late for the turn it was meant for starts the next one.
    self.pending = nil
    vim.schedule(function()
      if not self:busy() then
        self:start_turn(pending.text, pending.ctx, pending.seg)
      end
    end)
  end
end

---@return string|nil text, integer|nil row
function ChatSession:input()
  return chatbuf.input(self.buf)
end

---@param row integer
---@param text string
---@param note string|nil
---@param keep_input boolean|nil
---@return tether.Segment
function ChatSession:open_segment(row, text, note, keep_input)
  return chatbuf.open_segment(self.buf, row, text, note, keep_input)
end

---@param segment integer
function ChatSession:render_segment(segment)
  local seg = self.segments[segment]
  if seg and self.turn then
    chatbuf.write_segment(self.buf, seg, render.segment_lines(self.turn, segment))
  end
end

---Coalesce redraws: deltas arrive faster than the screen needs them.
function ChatSession:flush()
  self.flush_pending = false
  local dirty = self.dirty
  self.dirty = {}
  for segment in pairs(dirty) do
    self:render_segment(segment)
  end
end

---@param segment integer|nil
---@param now boolean|nil
function ChatSession:mark_dirty(segment, now)
  if segment then
    self.dirty[segment] = true
  end
  if now then
    return self:flush()
  end
  if not self.flush_pending then
    self.flush_pending = true
    vim.defer_fn(function()
      self:flush()
    end, 15)
  end
end

---@return vim.lsp.Client|nil
function ChatSession:client()
  local c = client.ensure(self.root)
  self.client_id = c and c.id or nil
  return c
end

---Write an error into the open answer segment and go idle.
---@param msg string
function ChatSession:fail(msg)
  if self.turn and not self.turn.status then
    render.apply(self.turn, { type = "turn_failed", reason = msg })
    self:mark_dirty(self.turn.segment, true)
  end
  log.warn("chat: %s", msg)
  self:set_state("idle")
end

---@param text string
---@param ctx table|nil PromptContext
---@param seg tether.Segment
function ChatSession:start_turn(text, ctx, seg)
  local turn = render.new_turn(config.options.chat.max_output_lines)
  self.turn, self.turn_id, self.segments = turn, nil, { [1] = seg }
  self.stop_requested, self.other_turn = nil, nil
  self.client_message_id = new_client_message_id()
  local c = self:client()
  if not c then
    return self:fail("the Tether server is not running (see :checkhealth tether)")
  end
  local function prompt()
    self:set_state("running")
    local params =
      { sessionId = self.session_id, text = text, context = ctx, clientMessageId = self.client_message_id }
    client.request(c, types.methods.session_prompt, params, function(err, result)
      if self.turn == turn then -- not a late answer about an earlier turn
        self:on_prompt_done(err, result)
      end
    end)
  end
  if self.session_id then
    return prompt()
  end
  self:set_state("starting")
  local params = { folderUri = client.folder_uri(self.root), model = config.options.model }
  client.request(c, types.methods.session_create, params, function(err, result)
    if err or not result then
      return self:fail("cannot create a session: " .. client.error_message(err or "no result"))
    end
    self.session_id = result.sessionId
    if result.session and result.session.title then
      self.title = result.session.title
    end
    if self.stop_requested then
      self.stop_requested = nil
      render.apply(turn, { type = "turn_cancelled", reason = "cancelled before it started" })
      self:mark_dirty(turn.segment, true)
      return self:set_state("idle")
    end
    prompt()
  end)
end

---The prompt request returns when the turn has ended; its events normally got there first.
---@param err table|string|nil
---@param result table|nil TurnResult
function ChatSession:on_prompt_done(err, result)
  if err then
    return self:fail(client.error_message(err))
  end
  if self.turn and not self.turn.status and result then
    local has_text = vim.iter(self.turn.blocks):any(function(b)
      return b.kind == "text"
    end)
    if not has_text and (result.text or "") ~= "" then
      render.apply(self.turn, { type = "text_complete", messageId = "result", text = result.text })
    end
    local types = {
      completed = "turn_completed",
      cancelled = "turn_cancelled",
      failed = "turn_failed",
      step_limit = "step_limit_reached",
    }
    render.apply(self.turn, { type = types[result.status] or "turn_completed", reason = result.reason })
    self:mark_dirty(self.turn.segment, true)
  end
  self:set_state("idle")
end

---:TetherSend / <CR>: send the input area; while a turn runs, steer it instead.
---@param ctx table|nil PromptContext (default: the active file)
---@param note string|nil
---@param question string|nil send this instead of the input area (whose draft then stays)
function ChatSession:send(ctx, note, question)
  local text, row = self:input()
  local keep = question ~= nil
  if keep and row then
    text = vim.trim(question)
  end
  if not row then
    vim.api.nvim_buf_set_lines(self.buf, -1, -1, false, { "", render.USER_HEADER, "", "" })
    return log.notify("write your message below the last `## You` header", vim.log.levels.WARN)
  end
  if text == "" then
    return log.notify("nothing to send: write below the last `## You` header", vim.log.levels.WARN)
  end
  ctx = ctx or context.prompt_context(nil, nil)
  if self.state == "starting" then
    return log.notify("the session is starting; send again in a moment", vim.log.levels.WARN)
  end
  local mentions = require("tether.mentions").take(self.buf, text)
  if #mentions > 0 then
    ctx = vim.tbl_extend("force", ctx or { extraFileUris = {} }, { mentions = mentions })
  end
  if not self:busy() then
    return self:start_turn(text, ctx, self:open_segment(row, text, note, keep))
  end
  -- Steer: the text joins the running turn; later output renders below it.
  local segment = render.next_segment(self.turn)
  self.segments[segment] = self:open_segment(row, text, note, keep)
  local c = self:client()
  if not c then
    return self:fail("the Tether server is not running")
  end
  local params = { sessionId = self.session_id, text = text }
  client.request(c, types.methods.session_steer, params, function(err, result)
    if err then
      return log.notify("steer failed: " .. client.error_message(err), vim.log.levels.WARN)
    end
    if result and result.queued == false then
      -- The turn is ending: the text starts the next turn once it has.
      local pending = { text = text, ctx = ctx, seg = self.segments[segment] }
      if self:busy() then
        self.pending = pending
      else
        self:start_turn(pending.text, pending.ctx, pending.seg)
      end
    end
  end)
end

---:TetherContinue: a new turn resuming the last step-limit checkpoint (the server builds
---the resume prompt); its answer streams above the input area.
function ChatSession:continue()
  if not self.session_id then
    return log.notify("nothing to continue: this chat has no session yet", vim.log.levels.WARN)
  end
  if self:busy() then
    return log.notify("a turn is running; continue once it has ended", vim.log.levels.WARN)
  end
  local c = self:client()
  if not c then
    return self:fail("the Tether server is not running")
  end
  local turn = render.new_turn(config.options.chat.max_output_lines)
  self.turn, self.turn_id, self.client_message_id, self.other_turn = turn, nil, nil, nil
  self.segments = { [1] = chatbuf.insert_segment(self.buf) }
  self:set_state("running")
  client.request(c, types.methods.session_continue, { sessionId = self.session_id }, function(err, result)
    if self.turn == turn then
      self:on_prompt_done(err, result)
    end
  end)
end

---:TetherContext: what the next request would contain, section by section.
---@param callback fun(result: table|nil, err: string|nil)
function ChatSession:context(callback)
  local c = self:client()
  if not self.session_id or not c then
    return callback(nil, "this chat has no session yet")
  end
  client.request(c, types.methods.session_context, { sessionId = self.session_id }, function(err, result)
    callback(result, err and client.error_message(err) or nil)
  end)
end

---:TetherStop: cancel the running turn (idempotent).
function ChatSession:stop()
  self.pending = nil
  if self.state == "starting" then
    self.stop_requested = true -- the session is being created: do not prompt after all
    return self:set_state("cancelling")
  end
  if not self.session_id or not self:busy() then
    return log.notify("no turn is running", vim.log.levels.INFO)
  end
  self:set_state("cancelling")
  local c = self:client()
  if not c then
    return self:fail("the Tether server is not running")
  end
  client.request(c, types.methods.session_cancel, { sessionId = self.session_id }, function(err)
    if err then
      log.notify("cancel failed: " .. client.error_message(err), vim.log.levels.WARN)
    end
  end)
end

---@param title string
function ChatSession:set_title(title)
  self.title = title
  chatbuf.set_title(self.buf, title)
  status_changed(self)
end

---Follow a running turn started elsewhere: its output goes above the input area.
---@param turn_id string
function ChatSession:adopt(turn_id)
  self.turn = render.new_turn(config.options.chat.max_output_lines)
  self.turn_id, self.client_message_id, self.other_turn = turn_id, nil, nil
  self.segments = { [1] = chatbuf.insert_segment(self.buf) }
  self:set_state("running")
end

---Whether a turn_started is the turn of the prompt this chat is waiting on, by the id the
---server echoes. Without an id on either side (an older server, a continue, a turn adopted
---from another window) the turn that starts is the one we wait for, as before ids.
---@param ev table
---@return boolean
function ChatSession:is_our_prompt(ev)
  local id = ev.clientMessageId
  if id == nil or id == vim.NIL or self.client_message_id == nil then
    return true
  end
  return id == self.client_message_id
end

---@param ev tether.SessionEvent|table
---@param seq integer|nil
function ChatSession:on_event(ev, seq)
  if seq then
    if seq <= self.last_seq then
      return -- already seen (a replay)
    end
    self.last_seq = seq
  end
  local t = ev.type
  if t == "title_changed" then
    return self:set_title(ev.title or "")
  elseif t == "usage" then
    self.usage = ev.total
    self.session_cost = type(ev.sessionCost) == "number" and ev.sessionCost or nil
    self.context_tokens, self.context_window = ev.contextTokens, ev.contextWindow
    status_changed(self)
  elseif t == "file_edited" then
    local edit =
      { uri = ev.uri, diff = ev.diff, applied = ev.applied, message = ev.message, turn_id = ev.turnId,
        target = ev.target }
    table.insert(self.edits, edit)
    local registry = require("tether.chat")
    local prev = registry.last_edits[1]
    if not prev or prev.turn_id ~= ev.turnId then
      registry.last_edits = {}
    end
    table.insert(registry.last_edits, edit)
    if ev.codeBlock and ev.applied then
      return chatbuf.insert_note(self.buf, applied_block_note(ev))
    end
  elseif t == "change_undone" then
    local where = (ev.lines or "") ~= "" and (" " .. ev.lines) or ""
    local whose = ev.codeBlock and "the code block you applied" or "the agent's change"
    return chatbuf.insert_note(self.buf, ("undone: %s to %s%s"):format(whose, ev.path, where))
  elseif t == "turn_rewound" then
    local n, files = #(ev.rewoundTurnIds or {}), #(ev.restored or {})
    local note = ("rewound %d turn(s): %d file(s) restored"):format(n, files)
    if #(ev.conflicts or {}) > 0 then
      note = note .. (", %d left as they were"):format(#ev.conflicts)
    end
    return chatbuf.insert_note(self.buf, note)
  end
  if not self.turn or self.turn.status then
    -- No turn of ours is open: a turn this chat did not start (its session was reopened
    -- while running) gets an answer segment of its own; anything else is late news.
    -- A file_edited outside a turn (a code block applied from another editor) is listed
    -- in the edits above, never adopted as a running turn: no terminal event would end it.
    if not ev.turnId or ev.turnId == self.turn_id or types.terminal_events[t] or t == "file_edited" then
      return
    end
    self:adopt(ev.turnId)
  end
  if t == "turn_started" and not self:is_our_prompt(ev) then
    self.other_turn = ev.turnId -- another window's: ours will be refused (one turn at a time)
    return
  elseif t == "turn_started" then
    self.turn_id = ev.turnId
  elseif ev.turnId and ev.turnId == self.other_turn and not self.turn_id then
    return
  elseif self.turn_id and ev.turnId and ev.turnId ~= self.turn_id then
    return -- a late event of an earlier turn
  end
  local segment = render.apply(self.turn, ev)
  if types.terminal_events[t] then
    local touched = require("tether.touched").note(self.edits, self.turn_id)
    if touched then
      require("tether.turn").note(self.turn, touched)
    end
  end
  if t == "permission_requested" then
    self:set_state("waiting")
  elseif t == "permission_resolved" and self.state == "waiting" then
    self:set_state("running")
  end
  if types.terminal_events[t] then
    self:mark_dirty(segment, true)
    self:set_state("idle")
  else
    self:mark_dirty(segment)
  end
end

return ChatSession
