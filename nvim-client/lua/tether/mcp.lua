---:TetherMcp and the MCP section of :checkhealth tether: the configured MCP servers
---(`tether/mcp/status`), their state and tools.
local M = {}

local TIMEOUT = 8000

---Lines describing `servers` (McpServerStatus[]), one block per server.
---@param servers table[]
---@return string[]
function M.lines(servers)
  if #servers == 0 then
    return { "No MCP servers configured: add [mcp_servers.NAME] to the Tether config or .tether/config.toml." }
  end
  local out = {}
  for _, s in ipairs(servers) do
    local tools = s.tools or {}
    local state = s.trusted == false and "not trusted" or s.state
    local head = ("%s  %s · %d tools · %s · %s"):format(s.name, state, #tools, s.source, s.target)
    if (s.restarts or 0) > 0 then
      head = head .. (" · restarted %d×"):format(s.restarts)
    end
    table.insert(out, head)
    if s.error and s.error ~= "" then
      table.insert(out, "  error: " .. s.error)
    end
    for _, t in ipairs(tools) do
      table.insert(out, "  " .. t.name .. (t.description and t.description ~= "" and (" — " .. t.description) or ""))
    end
  end
  return out
end

---The status from the server of `root` (synchronously), or nil and why.
---@param root string|nil
---@return table[]|nil servers, string|nil err
function M.status(root)
  local client = require("tether.client")
  root = root or client.root_for(0)
  local c = client.get(root) or client.ensure(root)
  if not c then
    return nil, "the Tether server is not running"
  end
  local result, err = client.request_sync(c, require("tether.types").methods.mcp_status, { folderUri = client.folder_uri(root) }, TIMEOUT)
  if not result then
    return nil, tostring(err)
  end
  return result.servers or {}, nil
end

---:TetherMcp — the servers in a scratch buffer (q closes it).
function M.show()
  local servers, err = M.status(nil)
  if not servers then
    return require("tether.log").notify("MCP status unavailable: " .. tostring(err), vim.log.levels.ERROR)
  end
  vim.cmd("botright new")
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].buftype = "nofile"
  vim.bo[buf].bufhidden = "wipe"
  vim.bo[buf].swapfile = false
  vim.api.nvim_buf_set_name(buf, "tether://mcp")
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, M.lines(servers))
  vim.bo[buf].modifiable = false
  vim.keymap.set("n", "q", "<cmd>close<cr>", { buffer = buf, desc = "Close" })
end

---The :checkhealth section.
---@param root string|nil
function M.check(root)
  local health = vim.health
  health.start("tether: MCP servers")
  local servers, err = M.status(root)
  if not servers then
    return health.warn("MCP status unavailable: " .. tostring(err))
  end
  if #servers == 0 then
    return health.info("no MCP servers configured")
  end
  for _, s in ipairs(servers) do
    local line = ("%s (%s, %s): %s, %d tools"):format(s.name, s.transport, s.source, s.state, #(s.tools or {}))
    if s.trusted == false then
      health.warn(line .. " — not trusted yet", { "Send a prompt: Tether asks once whether this workspace's servers may start" })
    elseif s.state == "failed" then
      health.error(line .. ": " .. (s.error or ""), { "See :TetherLog and the server log for its stderr" })
    else
      health.ok(line)
    end
  end
end

return M
