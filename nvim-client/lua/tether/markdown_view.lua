---How the chat buffer looks (issue 15, Neovim 2): the text stays plain markdown (saved,
---yanked and searched as written), and the view renders it — treesitter markdown
---highlighting with conceal (`**`, backticks and link syntax hidden outside the cursor
---line, as CodeCompanion and render-markdown do), tool and reasoning rows shown as a
---one-line summary with an icon instead of `> [!tool]`, and diff lines coloured.
local M = {}

M.ns = vim.api.nvim_create_namespace("tether.markdown_view")

local CALLOUTS = {
  tool = { icon = "⚙ ", group = nil }, -- the row keeps its TetherTool* colour
  reasoning = { icon = "💭 ", group = "TetherReasoning" },
}

---@param buf integer
---@return boolean started
local function start_treesitter(buf)
  local ok = pcall(vim.treesitter.start, buf, "markdown")
  return ok
end

---Window-local options for a window showing the chat.
---@param win integer
function M.set_window_options(win)
  local function set(name, value)
    pcall(vim.api.nvim_set_option_value, name, value, { win = win, scope = "local" })
  end
  set("conceallevel", 2)
  set("concealcursor", "nc") -- the line being edited (insert) shows its markup
end

---Attach the view to a chat buffer: treesitter, conceal in its windows, decorations.
---@param buf integer
function M.attach(buf)
  vim.b[buf].tether_treesitter = start_treesitter(buf)
  vim.api.nvim_create_autocmd("BufWinEnter", {
    buffer = buf,
    callback = function()
      M.set_window_options(vim.api.nvim_get_current_win())
    end,
  })
  for _, win in ipairs(vim.fn.win_findbuf(buf)) do
    M.set_window_options(win)
  end
end

---The diff line's highlight group, or nil: `+`/`-` lines and `@@` hunk headers.
---@param body string the line without its `> ` quote
---@return string|nil
local function diff_group(body)
  if body:match("^%+%+%+") or body:match("^%-%-%-") then
    return "TetherDiffFile"
  elseif body:match("^%+") then
    return "TetherDiffAdd"
  elseif body:match("^%-") then
    return "TetherDiffDelete"
  elseif body:match("^@@") then
    return "TetherDiffHunk"
  end
  return nil
end

---Re-apply the view's decorations to the whole buffer (diff fences need the lines above
---a changed range; a chat is small enough to walk in well under a millisecond per
---thousand lines).
---@param buf integer
function M.decorate(buf)
  if not vim.api.nvim_buf_is_valid(buf) then
    return
  end
  vim.api.nvim_buf_clear_namespace(buf, M.ns, 0, -1)
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local fence = nil ---@type string|nil the closing fence of the diff being walked
  for i, line in ipairs(lines) do
    local row = i - 1
    local quote, body = line:match("^(>%s?)(.*)$")
    if fence then
      if body and body:match("^" .. fence .. "%s*$") then
        fence = nil
      elseif body then
        local group = diff_group(body)
        if group then
          vim.api.nvim_buf_set_extmark(buf, M.ns, row, #quote, {
            end_col = #line, hl_group = group, priority = 160,
          })
        end
      else
        fence = nil -- the quote ended without a closing fence
      end
    elseif body then
      local open = body:match("^(```+)diff%s*$")
      if open then
        fence = open
      end
      local kind, rest = body:match("^%[!(%a+)%]%s?(.*)$")
      local callout = kind and CALLOUTS[kind]
      if callout then
        local prefix = #line - #rest -- `> [!tool] `
        vim.api.nvim_buf_set_extmark(buf, M.ns, row, 0, {
          end_col = prefix,
          conceal = "",
          virt_text = { { callout.icon, callout.group or "TetherNote" } },
          virt_text_pos = "inline",
          priority = 160,
        })
      end
    end
  end
end

---The summary a tool row shows once its markup is concealed (for tests and capture).
---@param line string
---@return string
function M.visible(line)
  local body = line:match("^>%s?(.*)$")
  local kind, rest = (body or ""):match("^%[!(%a+)%]%s?(.*)$")
  if kind and CALLOUTS[kind] then
    return CALLOUTS[kind].icon .. rest
  end
  return line
end

return M
