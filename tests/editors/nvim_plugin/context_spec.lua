-- Long turns in the chat without a server: compaction lines with before/after tokens, the
-- Continue hint after a step limit, and the :TetherContext breakdown.
local h = dofile(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)) .. "/harness.lua")
local render = require("tether.render")
local breakdown = require("tether.breakdown")

local function ev(t, fields)
  fields = fields or {}
  fields.type = t
  fields.sessionId = "s1"
  fields.turnId = "t1"
  return fields
end

h.test("a compaction is one line: in progress, then before → after tokens", function()
  local turn = render.new_turn()
  render.apply(turn, ev("compaction_started", { seq = 7, tokensBefore = 9323, contextWindow = 12000, reason = "window" }))
  h.eq({ "", "_Compacting context: summarising older messages (9.3k tokens)…_", "" }, render.segment_lines(turn, 1))
  render.apply(turn, ev("compaction", { summary = "s", upToMessageId = "m", summarizedMessages = 40 }))
  render.apply(turn, ev("compaction_completed", { tokensBefore = 9323, tokensAfter = 6917, summarizedMessages = 40, contextWindow = 12000 }))
  h.eq({ "", "_Context compacted: 9.3k → 6.9k tokens (40 messages summarised)_", "" }, render.segment_lines(turn, 1))
end)

h.test("a failed compaction says why; a truncation note follows", function()
  local turn = render.new_turn()
  render.apply(turn, ev("compaction_started", { seq = 3, tokensBefore = 9000, contextWindow = 12000, reason = "provider_limit" }))
  render.apply(turn, ev("compaction_failed", { reason = "the summariser answered nothing" }))
  render.apply(turn, ev("context_truncated", { droppedMessages = 12, estimatedTokens = 7000, contextWindow = 12000 }))
  local lines = render.segment_lines(turn, 1)
  h.eq("_Compaction failed: the summariser answered nothing_", lines[2])
  h.eq("_Context full: the 12 oldest messages were left out of the request._", lines[4])
end)

h.test("a step-limit stop tells how to continue, with the configured keymap", function()
  require("tether").setup({ autostart = false })
  local turn = render.new_turn()
  render.apply(turn, ev("step_limit_reached", { reason = "stopped after 2 model calls", steps = 2 }))
  local lines = render.segment_lines(turn, 1)
  h.eq("_Press `gC` or run `:TetherContinue` to resume from the checkpoint._", lines[4])
  require("tether").setup({ autostart = false, chat = { keymaps = { continue = false } } })
  turn = render.new_turn()
  render.apply(turn, ev("step_limit_reached", { reason = "x", steps = 2 }))
  h.eq("_Run `:TetherContinue` to resume from the checkpoint._", render.segment_lines(turn, 1)[4])
  require("tether").setup({ autostart = false })
end)

h.test("the chat buffer maps the continue key", function()
  require("tether").setup({ autostart = false })
  local chat = require("tether.chat").create(vim.fn.getcwd())
  local maps = vim.api.nvim_buf_get_keymap(chat.buf, "n")
  local found = vim.iter(maps):find(function(m)
    return m.lhs == "gC"
  end)
  h.eq("Tether: continue after the step limit", found and found.desc)
end)

h.test(":TetherContext lines name sections, rules files and pins", function()
  local lines = breakdown.lines({
    sessionId = "s1", policy = "incremental", contextWindow = 12000, budgetTokens = 9280,
    totalTokens = 6917, stubbedOutputs = 3, droppedMessages = 0, summarizedMessages = 40,
    canContinue = true,
    sections = {
      { name = "system", tokens = 420, items = {} },
      { name = "tools", tokens = 1263, items = {} },
      { name = "rules", tokens = 30, items = { { label = "AGENTS.md", tokens = 30, state = "whole" } } },
      { name = "pins", tokens = 40, items = { { label = "task (first message)", tokens = 20, state = "whole" } } },
      { name = "summary", tokens = 120, items = {} },
      { name = "messages", tokens = 5044, items = {} },
    },
  })
  h.eq("Next request: 6.9k of 9.3k tokens budget (window 12k, policy incremental)", lines[1])
  local text = table.concat(lines, "\n")
  assert(text:find("Project rules        30", 1, true), text)
  assert(text:find("  AGENTS.md", 1, true), text)
  assert(text:find("(stands in for 40 older messages)", 1, true), text)
  assert(text:find("(3 old tool outputs stubbed)", 1, true), text)
  assert(text:find(":TetherContinue", 1, true), text)
  local buf = breakdown.show({ sessionId = "s1", policy = "full", contextWindow = 1000,
    budgetTokens = 800, totalTokens = 10, sections = {} })
  h.eq(true, vim.b[buf].tether_context)
  vim.cmd("close")
end)

h.finish()
