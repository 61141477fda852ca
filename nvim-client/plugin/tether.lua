-- Tether: commands only; everything else loads on first use (lua/tether/).
if vim.g.loaded_tether == 1 then
  return
end
vim.g.loaded_tether = 1

local function tether()
  return require("tether")
end

vim.api.nvim_create_user_command("TetherChat", function()
  tether().chat()
end, { desc = "Open the Tether chat of this workspace" })

vim.api.nvim_create_user_command("TetherNew", function()
  tether().new()
end, { desc = "Start a new Tether chat" })

vim.api.nvim_create_user_command("TetherSend", function()
  tether().send()
end, { desc = "Send the text under the last `## You` (steers a running turn)" })

vim.api.nvim_create_user_command("TetherStop", function()
  tether().stop()
end, { desc = "Cancel the running Tether turn" })

vim.api.nvim_create_user_command("TetherContinue", function()
  tether().continue()
end, { desc = "Resume the Tether turn that stopped at the step limit" })

vim.api.nvim_create_user_command("TetherContext", function()
  tether().context()
end, { desc = "Show what the next Tether request would contain" })

vim.api.nvim_create_user_command("TetherAsk", function(opts)
  tether().ask(opts)
end, { range = true, nargs = "*", desc = "Ask Tether about the selection and its file" })

vim.api.nvim_create_user_command("TetherSessions", function(opts)
  tether().sessions({ search = opts.args ~= "" and opts.args or nil, archived = opts.bang })
end, {
  nargs = "*",
  bang = true,
  desc = "Pick a Tether session (words: full-text search; !: archived too): open, rename, ...",
})

vim.api.nvim_create_user_command("TetherDiff", function()
  tether().diff()
end, { desc = "Show the diff of the agent's last edit" })

vim.api.nvim_create_user_command("TetherChanges", function(opts)
  tether().changes(opts.args)
end, { nargs = "?", desc = "The agent's hunks of a turn (default: the last) in the quickfix list" })

vim.api.nvim_create_user_command("TetherRewind", function(opts)
  tether().rewind(opts.args)
end, { nargs = "?", desc = "Restore the files of a turn (default: the last) and every later one" })

vim.api.nvim_create_user_command("TetherModels", function()
  tether().models()
end, { desc = "Pick the model for new Tether sessions" })

vim.api.nvim_create_user_command("TetherSearch", function(opts)
  tether().search(opts.args)
end, { nargs = "+", desc = "Search the workspace index into the quickfix list" })

vim.api.nvim_create_user_command("TetherMcp", function()
  require("tether.mcp").show()
end, { desc = "List the MCP servers, their state and tools" })

vim.api.nvim_create_user_command("TetherLog", function()
  tether().log()
end, { desc = "Open the Tether plugin log" })
