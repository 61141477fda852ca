---Answers tether/permission/request with vim.ui.select, so any picker (Telescope, fzf-lua,
---snacks, the built-in list) can serve it. Neovim runs server-request handlers inside a
---coroutine: we yield until the user picks, then return the answer as the response.
local log = require("tether.log")

local M = {}

local LABELS = {
  allow_once = "Allow once",
  allow_always = "Allow always (this session)",
  reject = "Reject",
  reject_comment = "Reject, and say why…",
}

---A proposed edit's diff in a float beside the prompt (closed once answered).
---@param diff string
---@return integer|nil win
function M.show_diff(diff)
  local lines = vim.split((diff or ""):gsub("\n$", ""), "\n", { plain = true })
  local buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].filetype = "diff"
  vim.bo[buf].bufhidden = "wipe"
  vim.bo[buf].modifiable = false
  local width = math.min(math.max(40, math.floor(vim.o.columns * 0.7)), vim.o.columns - 4)
  local height = math.min(#lines, math.max(3, math.floor(vim.o.lines * 0.5)))
  local ok, win = pcall(vim.api.nvim_open_win, buf, false, {
    relative = "editor",
    row = 1,
    col = math.floor((vim.o.columns - width) / 2),
    width = width,
    height = height,
    border = "rounded",
    title = " Tether: proposed edit ",
    style = "minimal",
  })
  return ok and win or nil
end

---@param params table PermissionRequestParams
---@return string
local function prompt_text(params)
  local desc = params.description or params.tool or "a tool call"
  return ("Tether wants to run %s: %s"):format(params.tool or "a tool", desc)
end

---Ask the user; `callback(option, comment)` gets "reject" when the picker is dismissed.
---A proposed edit (`params.diff`) is shown in a float, and may be rejected with a comment.
---@param params table
---@param callback fun(option: string, comment: string|nil)
function M.ask(params, callback)
  local options = params.options
  if type(options) ~= "table" or #options == 0 then
    options = { "allow_once", "allow_always", "reject" }
  end
  local win = nil
  if params.diff and params.diff ~= "" then
    options = vim.list_extend(vim.deepcopy(options), { "reject_comment" })
    win = M.show_diff(params.diff)
  end
  local function close()
    if win and vim.api.nvim_win_is_valid(win) then
      vim.api.nvim_win_close(win, true)
    end
  end
  vim.ui.select(options, {
    prompt = prompt_text(params),
    kind = "tether_permission",
    format_item = function(option)
      return LABELS[option] or option
    end,
  }, function(choice)
    if choice ~= "reject_comment" then
      close()
      return callback(choice or "reject", nil)
    end
    vim.ui.input({ prompt = "Why not? " }, function(comment)
      close()
      callback("reject", comment ~= "" and comment or nil)
    end)
  end)
end

---Handler of tether/permission/request: returns `{option = ...}`.
---@param params table
---@return table result
function M.handle(params, _)
  params = type(params) == "table" and params or {}
  local co, is_main = coroutine.running()
  local done, answer, comment, waiting = false, nil, nil, false
  M.ask(params, function(option, said)
    done, answer, comment = true, option, said
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
  return { option = answer or "reject", comment = comment }
end

return M
