-- The :TetherSessions picker rows (issue 15: five sessions titled alike must be told
-- apart): first prompt line, model, counts, files touched, failed/stopped/empty marks.
local h = dofile(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)) .. "/harness.lua")
local history = require("tether.history")

local function row(over)
  return vim.tbl_extend("force", {
    id = "s1",
    title = "Fix add function",
    updatedAt = "2026-12-01T10:00:00Z",
    messageCount = 4,
    model = "openai/gpt-4.1",
    archived = false,
    firstPrompt = "",
    filesTouched = {},
    fileCount = 0,
    lastTurnReason = "",
  }, over or {})
end

h.test("a row names the model, the counts and the time", function()
  h.eq("Fix add function  ·  gpt-4.1  ·  4 messages  ·  2026-12-01 10:00:00", history.format(row()))
end)

h.test("the first prompt line and the files touched tell same-titled rows apart", function()
  local fixed = row({ firstPrompt = "The add function subtracts", filesTouched = { "calc.py", "test_calc.py", "docs/calc.md" }, fileCount = 3 })
  h.eq("Fix add function  ·  “The add function subtracts”  ·  gpt-4.1  ·  4 messages  ·  3 files  ·  2026-12-01 10:00:00", history.format(fixed))
  h.eq("Fix add function  ·  gpt-4.1  ·  4 messages  ·  1 file  ·  2026-12-01 10:00:00", history.format(row({ fileCount = 1 })))
end)

h.test("the prompt is left out when the title is made from it", function()
  h.eq("Fix add function  ·  gpt-4.1  ·  4 messages  ·  2026-12-01 10:00:00",
    history.format(row({ firstPrompt = "Fix add function in calc.py" })))
end)

h.test("failed, stopped, step-limit, empty and archived sessions are marked", function()
  local failed = row({ lastTurn = "failed", lastTurnReason = "the server at http://127.0.0.1:9 is unreachable" })
  h.eq("Fix add function  [failed]  ·  gpt-4.1  ·  4 messages  ·  2026-12-01 10:00:00", history.format(failed))
  h.eq(history.format(failed) .. "  —  failed: the server at http://127.0.0.1:9 is unreachable", history.detail(failed))
  h.truthy(history.format(row({ lastTurn = "cancelled" })):find("[stopped]", 1, true))
  h.truthy(history.format(row({ lastTurn = "step_limit" })):find("[step limit]", 1, true))
  h.eq(history.format(row()), history.detail(row({ lastTurn = "completed", lastTurnReason = "end_turn" })))
  h.eq("(untitled)  [archived, empty]  ·  0 messages  ·  2026-12-01 10:00:00",
    history.format(row({ title = "", model = "", messageCount = 0, archived = true })))
end)

h.test("a search hit keeps its marks and shows what matched", function()
  local hit = { snippet = "the add function subtracts", highlights = { { 4, 7 } }, kind = "user" }
  h.eq("Fix add function  [failed]  ·  the «add» function subtracts", history.format(row({ lastTurn = "failed", hit = hit })))
end)

h.test("Files opens one of the files the session touched", function()
  local root = vim.fn.tempname()
  vim.fn.mkdir(root, "p")
  local orig = vim.ui.select
  local offered
  vim.ui.select = function(items, opts, cb)
    offered = { items = items, prompt = opts.prompt }
    cb(items[2])
  end
  history.actions.Files(root, nil, row({ filesTouched = { "calc.py", "src/b.py" }, fileCount = 3 }))
  vim.ui.select = orig
  h.eq({ items = { "calc.py", "src/b.py" }, prompt = "Files touched (3), 1 not listed" }, offered)
  h.eq(vim.fs.joinpath(root, "src/b.py"), vim.api.nvim_buf_get_name(0))
end)

h.finish()
