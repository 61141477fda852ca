---Where chat buffers are shown: the split / float / tab layouts and the window options a
---chat needs (wrapping, folded tool and reasoning sections).
local config = require("tether.config")

local M = {}

---@param value number
---@param total integer
---@return integer
local function size(value, total)
  if value < 1 then
    return math.max(1, math.floor(total * value))
  end
  return math.floor(value)
end

---@param win integer
function M.set_options(win)
  local function set(name, value)
    vim.api.nvim_set_option_value(name, value, { win = win, scope = "local" })
  end
  set("wrap", true)
  set("linebreak", true)
  set("foldmethod", "expr")
  set("foldexpr", "v:lua.require'tether.window'.foldexpr()")
  set("foldtext", "v:lua.require'tether.window'.foldtext()")
  set("foldlevel", 0)
  set("foldenable", true)
  set("number", false)
  set("relativenumber", false)
  set("signcolumn", "no")
end

---@param buf integer
---@return integer|nil win a window of the current tab showing `buf`
function M.find(buf)
  for _, win in ipairs(vim.api.nvim_tabpage_list_wins(0)) do
    if vim.api.nvim_win_get_buf(win) == buf then
      return win
    end
  end
  return nil
end

---Show `buf` following `chat.layout` and focus it; reuse a window already showing a chat.
---@param buf integer
---@param replace_win integer|nil a chat window to reuse
---@return integer win
function M.show(buf, replace_win)
  local existing = M.find(buf)
  if existing then
    vim.api.nvim_set_current_win(existing)
    return existing
  end
  local o = config.options.chat
  local win
  if replace_win and vim.api.nvim_win_is_valid(replace_win) then
    win = replace_win
    vim.api.nvim_set_current_win(win)
    vim.api.nvim_win_set_buf(win, buf)
  elseif o.layout == "float" then
    local width = size(o.width < 1 and math.max(o.width, 0.6) or o.width, vim.o.columns)
    local height = size(o.height < 1 and math.max(o.height, 0.6) or o.height, vim.o.lines - 2)
    win = vim.api.nvim_open_win(buf, true, {
      relative = "editor",
      width = width,
      height = height,
      row = math.floor((vim.o.lines - height) / 2) - 1,
      col = math.floor((vim.o.columns - width) / 2),
      border = o.border,
      title = " Tether ",
    })
  else
    if o.layout == "vsplit" then
      vim.cmd("botright vsplit")
      vim.api.nvim_win_set_width(0, size(o.width, vim.o.columns))
    elseif o.layout == "split" then
      vim.cmd("botright split")
      vim.api.nvim_win_set_height(0, size(o.height, vim.o.lines))
    elseif o.layout == "tab" then
      vim.cmd("tabnew")
    end
    win = vim.api.nvim_get_current_win()
    vim.api.nvim_win_set_buf(win, buf)
  end
  M.set_options(win)
  return win
end

---'foldexpr' of chat windows.
---@return string
function M.foldexpr()
  local o = config.options.chat
  local line = vim.fn.getline(vim.v.lnum)
  return require("tether.render").fold_level(line, o.fold_tools, o.fold_reasoning)
end

---'foldtext' of chat windows: the section header without its callout marker.
---@return string
function M.foldtext()
  local first = vim.fn.getline(vim.v.foldstart)
  local n = vim.v.foldend - vim.v.foldstart
  local label = first:gsub("^> %[!(%w+)%]%s*", function(kind)
    return kind == "tool" and "▸ " or "▸ reasoning: "
  end)
  if n > 0 then
    label = ("%s  (%d more line%s)"):format(label, n, n == 1 and "" or "s")
  end
  return label
end

return M
