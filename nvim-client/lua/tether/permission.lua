---Answers tether/permission/request with vim.ui.select, so any picker (Telescope, fzf-lua,
---snacks, the built-in list) can serve it. Neovim runs server-request handlers inside a
---coroutine: we yield until the user picks, then return the answer as the response.
local log = require("tether.log")

local M = {}

local LABELS = {
  allow_once = "Allow once",
  allow_always = "Allow always (this session)",
  reject = "Reject",
}

---@param params table PermissionRequestParams
---@return string
local function prompt_text(params)
  local desc = params.description or params.tool or "a tool call"
  return ("Tether wants to run %s: %s"):format(params.tool or "a tool", desc)
end

---Ask the user; `callback(option)` gets "reject" when the picker is dismissed.
---@param params table
---@param callback fun(option: string)
function M.ask(params, callback)
  local options = params.options
  if type(options) ~= "table" or #options == 0 then
    options = { "allow_once", "allow_always", "reject" }
  end
  vim.ui.select(options, {
    prompt = prompt_text(params),
    kind = "tether_permission",
    format_item = function(option)
      return LABELS[option] or option
    end,
  }, function(choice)
    callback(choice or "reject")
  end)
end

---Handler of tether/permission/request: returns `{option = ...}`.
---@param params table
---@return table result
function M.handle(params, _)
  params = type(params) == "table" and params or {}
  local co, is_main = coroutine.running()
  local done, answer, waiting = false, nil, false
  M.ask(params, function(option)
    done, answer = true, option
    if waiting and co then
      local ok, err = coroutine.resume(co)
      if not ok then
        log.error("permission: resuming the response failed: %s", tostring(err))
      end
    end
  end)
  if not done then
    if co and not is_main then
      waiting = true
      coroutine.yield()
    else
      vim.wait(24 * 3600 * 1000, function()
        return done
      end, 50)
    end
  end
  log.info("permission %s for %s: %s", tostring(params.toolCallId), tostring(params.tool), tostring(answer))
  return { option = answer or "reject" }
end

return M
