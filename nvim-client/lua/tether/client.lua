---The language-server side: the client config, one client per workspace root (reused
---across buffers), and request helpers that wait for `initialize` and report errors.
local config = require("tether.config")
local log = require("tether.log")
local types = require("tether.types")

local M = {}

M.name = "tether"

---Exit code of each client that exited, by client id (for the messages about it).
---@type table<integer, integer>
M.exit_codes = {}

local has_011 = vim.fn.has("nvim-0.11") == 1

---Handlers for Tether's custom server → client messages. Required lazily so that a plain
---`vim.lsp.config("tether", ...)` user pays nothing until a message arrives.
---@type table<string, lsp.Handler>
M.handlers = {
  [types.methods.session_event] = function(_, params, ctx)
    require("tether.chat").on_event(params, ctx.client_id)
  end,
  [types.methods.permission_request] = function(_, params, ctx)
    return require("tether.permission").handle(params, ctx)
  end,
  ["workspace/applyEdit"] = function(err, params, ctx)
    return require("tether.edits").apply(err, params, ctx)
  end,
}

---Client capabilities: Neovim's own plus `experimental.tether.permissions`, which tells the
---server that this client answers `tether/permission/request`.
---@return table
function M.capabilities()
  return vim.tbl_deep_extend("force", vim.lsp.protocol.make_client_capabilities(), {
    experimental = { tether = { permissions = true } },
  })
end

---The token of a remote server: `token`, else the first line of `token_file`, else
---$TETHER_TOKEN. Never logged.
---@param remote tether.RemoteOptions
---@return string|nil token, string|nil problem
function M.remote_token(remote)
  if remote.token and remote.token ~= "" then
    return remote.token
  end
  if remote.token_file then
    local path = vim.fs.normalize(remote.token_file)
    local file = io.open(path, "r")
    if not file then
      return nil, "cannot read remote.token_file " .. path
    end
    local token = vim.trim(file:read("*l") or "")
    file:close()
    return token ~= "" and token or nil, token == "" and ("empty token file " .. path) or nil
  end
  local env = vim.env.TETHER_TOKEN
  if env and env ~= "" then
    return env
  end
  return nil, "remote.address is set but no token (remote.token, remote.token_file or $TETHER_TOKEN)"
end

---What starts the connection: the server command, or a TCP connection to a running
---server (`remote.address`) whose token travels in `initializationOptions.tether.token`.
---@param opts tether.Config
---@return string[]|function cmd, table|nil init_options
local function transport(opts)
  local address = opts.remote and opts.remote.address
  if not address then
    return vim.deepcopy(opts.cmd), nil
  end
  local host, port = config.parse_address(address)
  local token, problem = M.remote_token(opts.remote)
  if problem then
    log.notify(problem, vim.log.levels.ERROR)
  end
  return vim.lsp.rpc.connect(host --[[@as string]], port), { tether = { token = token } }
end

---A readable name of what `cfg.cmd` starts, for messages.
---@param opts tether.Config|nil
---@return string
function M.describe(opts)
  opts = opts or config.options
  if opts.remote and opts.remote.address then
    return "tcp://" .. opts.remote.address
  end
  return table.concat(opts.cmd, " ")
end

---The client config without a root: usable as `vim.lsp.config("tether", ...)`.
---@param opts tether.Config|nil
---@return vim.lsp.ClientConfig
function M.lsp_config(opts)
  opts = opts or config.options
  local cmd, init_options = transport(opts)
  return {
    name = M.name,
    cmd = cmd,
    init_options = init_options,
    cmd_env = opts.cmd_env and vim.deepcopy(opts.cmd_env) or nil,
    root_markers = vim.deepcopy(opts.root_markers),
    filetypes = opts.filetypes and vim.deepcopy(opts.filetypes) or nil,
    capabilities = M.capabilities(),
    handlers = M.handlers,
    -- an empty Lua table would go out as a JSON list
    settings = { tether = next(opts.settings) and vim.deepcopy(opts.settings) or vim.empty_dict() },
    on_exit = function(code, signal, client_id)
      M.exit_codes[client_id] = code
      vim.schedule(function()
        require("tether.chat").on_client_exit(client_id, code, signal)
      end)
    end,
  }
end

---@param path string|nil
---@return string|nil
local function canonical(path)
  if not path or path == "" then
    return nil
  end
  local real = vim.uv.fs_realpath(path)
  return vim.fs.normalize(real or path)
end

---The workspace root of a buffer: the nearest root marker above its file, else the current
---directory when the file is under it, else the file's directory (then `in_workspace` is
---false: a stray file does not start a server by merely being opened).
---@param bufnr integer|nil
---@return string root, boolean in_workspace
function M.root_for(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local chat_root = vim.b[bufnr].tether_root
  if chat_root then
    return chat_root, true
  end
  local cwd = canonical(vim.fn.getcwd()) --[[@as string]]
  local name = vim.api.nvim_buf_get_name(bufnr)
  local file = vim.bo[bufnr].buftype == "" and name ~= "" and canonical(name) or nil
  local found = vim.fs.root(file or cwd, config.options.root_markers)
  if found then
    return canonical(found) --[[@as string]], true
  end
  if not file or vim.startswith(file, cwd .. "/") then
    return cwd, true
  end
  return vim.fs.dirname(file), false
end

---@param client vim.lsp.Client
---@return boolean
local function stopped(client)
  if has_011 then
    return client:is_stopped()
  end
  return client.is_stopped()
end

---The running Tether client serving `root`, however it was started (setup() or
---vim.lsp.enable).
---@param root string
---@return vim.lsp.Client|nil
function M.get(root)
  root = canonical(root)
  -- 0.11 leaves clients still initializing out unless asked: they serve the root too.
  for _, client in ipairs(vim.lsp.get_clients({ name = M.name, _uninitialized = true })) do
    if not stopped(client) then
      if canonical(client.root_dir) == root then
        return client
      end
      for _, folder in ipairs(client.workspace_folders or {}) do
        if canonical(vim.uri_to_fname(folder.uri)) == root then
          return client
        end
      end
    end
  end
  return nil
end

---@param root string
---@return vim.lsp.ClientConfig
local function config_for(root)
  local cfg = M.lsp_config()
  cfg.root_markers = nil
  cfg.root_dir = root
  cfg.workspace_folders = { { uri = vim.uri_from_fname(root), name = root } }
  return cfg
end

---The client for `root`, started (without attaching a buffer) when none runs.
---@param root string
---@return vim.lsp.Client|nil
function M.ensure(root)
  local existing = M.get(root)
  if existing then
    return existing
  end
  local cfg = config_for(root)
  local stderr = require("tether.stderr")
  stderr.install()
  if type(cfg.cmd) == "table" then
    stderr.clear(cfg.cmd[1])
  end
  local id
  if has_011 then
    id = vim.lsp.start(cfg, { attach = false, silent = true })
  else
    id = vim.lsp.start_client(cfg)
  end
  if not id then
    log.notify(
      ("cannot start the server (%s); see :checkhealth tether"):format(M.describe()),
      vim.log.levels.ERROR
    )
    return nil
  end
  log.info("started client %d for %s", id, root)
  -- Files of this root opened before the server started are live documents too.
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].buftype == "" and M.root_for(buf) == root then
      M.attach(buf, false)
    end
  end
  return vim.lsp.get_client_by_id(id)
end

---Attach a file buffer to the client of its root; `start` starts one when none runs.
---Attached buffers are what the agent reads live (and what it must not write under).
---@param bufnr integer
---@param start boolean|nil default true
---@return integer|nil client_id
function M.attach(bufnr, start)
  local is_file = vim.api.nvim_buf_is_loaded(bufnr)
    and vim.bo[bufnr].buftype == ""
    and vim.api.nvim_buf_get_name(bufnr) ~= ""
  if not is_file then
    return nil
  end
  local fts = config.options.filetypes
  if fts and not vim.tbl_contains(fts, vim.bo[bufnr].filetype) then
    return nil
  end
  local root, in_workspace = M.root_for(bufnr)
  local client ---@type vim.lsp.Client|nil
  if start == false or not in_workspace then
    client = M.get(root)
  else
    client = M.ensure(root)
  end
  if not client then
    return nil
  end
  if not vim.lsp.buf_is_attached(bufnr, client.id) then
    vim.lsp.buf_attach_client(bufnr, client.id)
  end
  return client.id
end

---Run `fn(client)` once the client has finished `initialize` (requests before it would
---break the LSP handshake); `fn(nil, reason)` if it dies or times out first.
---@param client vim.lsp.Client
---@param fn fun(client: vim.lsp.Client|nil, reason: string|nil)
function M.when_ready(client, fn)
  -- server_capabilities is set when `initialize` answered, in every Neovim version
  local function ready()
    return client.initialized or client.server_capabilities ~= nil
  end
  if ready() then
    return fn(client)
  end
  local deadline = vim.uv.now() + config.options.start_timeout_ms
  local timer = assert(vim.uv.new_timer())
  timer:start(
    20,
    20,
    vim.schedule_wrap(function()
      if timer:is_closing() then
        return
      end
      local reason
      if ready() then
        reason = nil
      elseif stopped(client) then
        local exe = type(client.config.cmd) == "table" and client.config.cmd[1] or nil
        reason = require("tether.stderr").exit_message(M.exit_codes[client.id] or "unknown", exe)
      elseif vim.uv.now() > deadline then
        reason = "the server did not initialize in time"
      else
        return
      end
      timer:stop()
      timer:close()
      if reason then
        fn(nil, reason)
      else
        fn(client)
      end
    end)
  )
end

---Format a JSON-RPC error for the user.
---@param err table|string
---@return string
function M.error_message(err)
  if type(err) == "table" then
    local msg = err.message or vim.inspect(err)
    return err.code and ("%s (%d)"):format(msg, err.code) or msg
  end
  return tostring(err)
end

---Send a request once the client is ready; `cb(err, result)` runs on the main loop.
---@param client vim.lsp.Client
---@param method string
---@param params table
---@param cb fun(err: table|string|nil, result: any)
---@return integer|nil request_id
function M.request(client, method, params, cb)
  M.when_ready(client, function(ready, reason)
    if not ready then
      return cb(reason)
    end
    log.debug("request %s %s", method, vim.inspect(params))
    -- Pending didChange notifications go first, so the server reads the live buffers.
    pcall(function()
      require("vim.lsp._changetracking").flush(ready)
    end)
    local handler = function(err, result)
      if err then
        log.warn("%s failed: %s", method, M.error_message(err))
      end
      cb(err, result)
    end
    local ok
    if has_011 then
      ok = ready:request(method, params, handler)
    else
      ok = ready.request(method, params, handler)
    end
    if not ok then
      cb("the server has shut down")
    end
  end)
end

---Blocking request (for :checkhealth): waits for start-up and the answer.
---@param client vim.lsp.Client
---@param method string
---@param params table
---@param timeout_ms integer
---@return any result, string|nil err
function M.request_sync(client, method, params, timeout_ms)
  local done, res, error_msg = false, nil, nil
  M.request(client, method, params, function(err, result)
    done, res = true, result
    error_msg = err and M.error_message(err) or nil
  end)
  if not vim.wait(timeout_ms, function()
    return done
  end, 20) then
    return nil, ("no answer to %s within %d ms"):format(method, timeout_ms)
  end
  return res, error_msg
end

---@param root string
---@return string
function M.folder_uri(root)
  return vim.uri_from_fname(root)
end

return M
