-- `@` mentions, MCP status lines and the cost in the statusline, without a server.
local h = dofile(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)) .. "/harness.lua")
local mentions = require("tether.mentions")

h.test("the @token before the cursor, not a mail address", function()
  h.eq({ 4, "src/ap" }, { mentions.token("fix @src/ap", 11) })
  h.eq({ 0, "" }, { mentions.token("@", 1) })
  h.eq(nil, (mentions.token("mail me@example.com", 19)))
  h.eq(nil, (mentions.token("@a.py then", 10)))
end)

h.test("items carry the structured mention; only named mentions are sent", function()
  local items = mentions.complete_items({
    { label = "a.py", detail = "file · src/a.py", insert = "src/a.py",
      mention = { kind = "file", uri = "file:///w/src/a.py", name = "@src/a.py" } },
  })
  h.eq("@src/a.py", items[1].word)
  h.eq("f", items[1].kind)
  local buf = vim.api.nvim_create_buf(false, true)
  vim.b[buf].tether_mentions = {
    { kind = "file", uri = "file:///w/src/a.py", name = "@src/a.py" },
    { kind = "symbol", uri = "file:///w/src/b.py", name = "@gone" },
  }
  local kept = mentions.take(buf, "explain @src/a.py")
  h.eq(1, #kept)
  h.eq("@src/a.py", kept[1].name)
  h.eq({}, vim.b[buf].tether_mentions)
end)

h.test("diagnostics of a buffer as the prompt sends them", function()
  local buf = vim.api.nvim_create_buf(true, false)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, { "x = 1", "y = undefined_name" })
  local ns = vim.api.nvim_create_namespace("spec")
  vim.diagnostic.set(ns, buf, {
    { lnum = 1, col = 4, end_col = 18, severity = vim.diagnostic.severity.WARN, message = "undefined", source = "lint" },
  })
  local diags = require("tether.context").diagnostics(buf)
  h.eq(1, #diags)
  h.eq("warning", diags[1].severity)
  h.eq({ line = 1, character = 4 }, diags[1].range.start)
  h.eq("lint", diags[1].source)
end)

h.test("MCP status lines and the statusline cost", function()
  local lines = require("tether.mcp").lines({
    { name = "gh", state = "failed", source = "workspace", target = "gh-mcp", transport = "stdio",
      trusted = true, restarts = 2, error = "exited with code 1",
      tools = { { name = "mcp__gh__issue", description = "Read an issue" } } },
  })
  h.eq("gh  failed · 1 tools · workspace · gh-mcp · restarted 2×", lines[1])
  h.eq("  error: exited with code 1", lines[2])
  h.eq("  mcp__gh__issue — Read an issue", lines[3])
  local empty = require("tether.mcp").lines({})
  h.eq(true, empty[1]:find("No MCP servers", 1, true) ~= nil)
  local statusline = require("tether.statusline")
  h.eq("$0.0042", statusline.cost(0.0042))
  h.eq("$12.35", statusline.cost(12.345))
end)

h.finish()
