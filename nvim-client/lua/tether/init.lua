---Tether for Neovim: `require("tether").setup(opts)` and the functions behind the commands.
---Everything is loaded on demand; plugin/tether.lua only defines the commands.
local M = {}

local group = vim.api.nvim_create_augroup("tether", { clear = true })

M.did_setup = false

---Configure, and attach every file buffer to the client of its workspace root (with
---`autostart`, starting it). Safe to call again: options are re-read from scratch and autocmds replaced.
---@param opts tether.Config|table|nil
---@return string[] problems options ignored, also shown as a warning
function M.setup(opts)
  local config = require("tether.config")
  local problems = config.apply(opts)
  if #problems > 0 then
    require("tether.log").notify(
      "setup: " .. table.concat(problems, "; "),
      vim.log.levels.WARN
    )
  end
  require("tether.highlights").setup()
  require("tether.context")
  vim.api.nvim_clear_autocmds({ group = group })
  vim.api.nvim_create_autocmd("ColorScheme", {
    group = group,
    callback = function()
      require("tether.highlights").setup()
    end,
  })
  -- Files opened later join their root's client; with `autostart` they also start it.
  vim.api.nvim_create_autocmd({ "BufReadPost", "BufNewFile", "FileType" }, {
    group = group,
    callback = function(ev)
      require("tether.client").attach(ev.buf, require("tether.config").options.autostart)
    end,
  })
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    require("tether.client").attach(buf, config.options.autostart)
  end
  M.did_setup = true
  return problems
end

---Commands work without setup() (defaults); highlights must exist either way.
local function ensure()
  if not M.did_setup then
    require("tether.highlights").setup()
    require("tether.context")
  end
end

function M.chat()
  ensure()
  return require("tether.chat").open()
end

function M.new()
  ensure()
  return require("tether.chat").new()
end

---@return tether.ChatSession|nil
local function current_chat()
  local chat_mod = require("tether.chat")
  local chat = chat_mod.get(nil, nil)
  if not chat then
    require("tether.log").notify("no chat yet: open one with :TetherChat", vim.log.levels.WARN)
  end
  return chat
end

function M.send()
  ensure()
  local chat = current_chat()
  if chat then
    chat:send()
  end
end

function M.stop()
  local chat = current_chat()
  if chat then
    chat:stop()
  end
end

---:TetherContinue: resume the turn of the current chat that stopped at the step limit.
function M.continue()
  ensure()
  local chat = current_chat()
  if chat then
    chat:continue()
  end
end

---:TetherContext: the next request's context, section by section, in a float.
function M.context()
  ensure()
  local chat = current_chat()
  if not chat then
    return
  end
  chat:context(function(result, err)
    if err or not result then
      local msg = "cannot show the context: " .. tostring(err or "no answer")
      return require("tether.log").notify(msg, vim.log.levels.WARN)
    end
    require("tether.breakdown").show(result)
  end)
end

---:TetherAsk: send a question with the selection (lines line1..line2 of the current buffer)
---and its file as context.
---@param opts {line1: integer, line2: integer, range: integer, args: string}
function M.ask(opts)
  ensure()
  local ctx_mod = require("tether.context")
  local buf = vim.api.nvim_get_current_buf()
  local file = ctx_mod.active_file_buf(buf)
  local range = nil
  if opts.range and opts.range > 0 and file == buf then
    range = ctx_mod.selection(buf, opts.line1, opts.line2)
  end
  local ctx = ctx_mod.prompt_context(buf, range)
  local note = nil
  if ctx then
    local where = vim.fn.fnamemodify(vim.uri_to_fname(ctx.activeFileUri), ":~:.")
    if range then
      where = ("%s:%d-%d"):format(where, opts.line1, opts.line2)
    end
    note = ("_attached: `%s`_"):format(where)
  end
  local function send(question)
    if not question or vim.trim(question) == "" then
      return
    end
    -- a draft in the chat's input area stays there
    require("tether.chat").open():send(ctx, note, question)
  end
  if opts.args and vim.trim(opts.args) ~= "" then
    return send(opts.args)
  end
  vim.ui.input({ prompt = "Ask Tether: " }, send)
end

---@param opts {search: string|nil, archived: boolean|nil}|nil
function M.sessions(opts)
  ensure()
  require("tether.history").pick(opts)
end

function M.diff()
  local chat_mod = require("tether.chat")
  require("tether.diff").show(chat_mod.by_buf[vim.api.nvim_get_current_buf()] or chat_mod.last)
end

---:TetherChanges [turn]: the turn's hunks in the quickfix list (keep/undo keymaps).
---@param turn_id string|nil
function M.changes(turn_id)
  ensure()
  require("tether.changes").list(turn_id)
end

---:TetherRewind [turn]: restore that turn's files (default: the last turn: undo turn).
---@param turn_id string|nil
function M.rewind(turn_id)
  ensure()
  require("tether.changes").rewind(turn_id)
end

---:TetherModels: pick the model new sessions use.
function M.models()
  local client = require("tether.client")
  local c = client.ensure((client.root_for(0)))
  if not c then
    return
  end
  client.request(c, require("tether.types").methods.models_list, vim.empty_dict(), function(err, result)
    if err then
      local msg = "cannot list models: " .. client.error_message(err)
      return require("tether.log").notify(msg, vim.log.levels.ERROR)
    end
    local ids = vim.tbl_map(function(m)
      return m.id
    end, result.models or {})
    local opts = {
      prompt = ("Model for new sessions (default %s)"):format(tostring(result.default)),
      kind = "tether_model",
    }
    vim.ui.select(ids, opts, function(id)
      if id then
        require("tether.config").options.model = id
        require("tether.log").notify("new sessions use " .. id)
      end
    end)
  end)
end

---:TetherSearch: the workspace index's hits for `query` in the quickfix list.
---@param query string
function M.search(query)
  local client = require("tether.client")
  local root = client.root_for(0)
  local c = client.ensure(root)
  if not c or vim.trim(query or "") == "" then
    return
  end
  local params = { folderUri = client.folder_uri(root), query = query, limit = 100 }
  client.request(c, require("tether.types").methods.index_search, params, function(err, result)
    if err then
      local msg = "search failed: " .. client.error_message(err)
      return require("tether.log").notify(msg, vim.log.levels.ERROR)
    end
    -- Files come best first; each file's best lines follow it, in its order.
    local items = {}
    for _, hit in ipairs(result.results or {}) do
      local filename = vim.uri_to_fname(hit.uri)
      local lines = hit.lines or {}
      if #lines == 0 then
        table.insert(items, { filename = filename, lnum = (hit.line or 0) + 1, text = hit.preview or hit.path })
      end
      for _, line in ipairs(lines) do
        table.insert(items, {
          filename = filename,
          lnum = line.line + 1,
          text = line.symbol and (line.symbol .. ": " .. line.preview) or line.preview,
        })
      end
    end
    vim.fn.setqflist({}, " ", { title = "Tether: " .. query, items = items })
    vim.cmd("botright copen")
  end)
end

function M.log()
  vim.cmd.split(vim.fn.fnameescape(require("tether.log").path()))
end

---The client config for `vim.lsp.config("tether", require("tether").lsp_config())`.
---@param opts table|nil options as for setup()
---@return vim.lsp.ClientConfig
function M.lsp_config(opts)
  if opts then
    require("tether.config").apply(opts)
  end
  return require("tether.client").lsp_config()
end

---Statusline component (see :help tether-statusline).
---@return string
function M.status()
  return require("tether.statusline").status()
end

return M
