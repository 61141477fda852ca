-- setup(), options, the LSP client config, roots and commands — without a server.
local h = dofile(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)) .. "/harness.lua")

local notified = {}
vim.notify = function(msg, level)
  table.insert(notified, { msg = msg, level = level })
end

h.test("every command is defined by plugin/tether.lua alone", function()
  local cmds = vim.api.nvim_get_commands({})
  for _, name in ipairs({ "TetherChat", "TetherNew", "TetherSend", "TetherStop", "TetherAsk",
    "TetherSessions", "TetherDiff", "TetherModels", "TetherSearch", "TetherLog" }) do
    h.truthy(cmds[name], name .. " missing")
  end
  h.eq(nil, package.loaded["tether.chat"], "nothing loaded before use")
  h.eq(nil, package.loaded["tether"], "nothing loaded before use")
end)

h.test("setup() is safe to call twice and replaces options and autocmds", function()
  local tether = require("tether")
  h.eq({}, tether.setup({ autostart = true, chat = { layout = "float" } }))
  local first = #vim.api.nvim_get_autocmds({ group = "tether" })
  h.eq({}, tether.setup({ autostart = true, model = "openai/gpt-4o" }))
  h.eq(first, #vim.api.nvim_get_autocmds({ group = "tether" }))
  local config = require("tether.config")
  h.eq("vsplit", config.options.chat.layout, "the second setup starts from defaults")
  h.eq("openai/gpt-4o", config.options.model)
  h.eq({}, tether.setup({ autostart = false }))
  h.eq(first, #vim.api.nvim_get_autocmds({ group = "tether" }), "replaced, not added")
end)

h.test("bad options are reported and replaced by defaults", function()
  notified = {}
  local problems = require("tether").setup({
    cmd = "tether serve",
    chat = { width = -1, keymaps = { send = 3 } },
    nope = true,
    log_level = "loud",
    autostart = false,
  })
  h.eq(5, #problems, vim.inspect(problems))
  local config = require("tether.config")
  h.eq(config.default_cmd(), config.options.cmd)
  h.eq(0.4, config.options.chat.width)
  h.eq("<CR>", config.options.chat.keymaps.send)
  h.eq(false, config.options.autostart, "good options still apply")
  h.eq(1, #notified)
  h.truthy(notified[1].msg:find('unknown option "nope"', 1, true), notified[1].msg)
  h.eq(vim.log.levels.WARN, notified[1].level)
  h.eq({ 'setup() expects a table, got string; defaults used' }, require("tether").setup("x"))
  require("tether").setup({ autostart = false })
end)

h.test("the client config declares tether permissions and carries settings", function()
  require("tether").setup({ autostart = false, settings = { autoApprove = true }, cmd_env = { A = "1" } })
  local cfg = require("tether").lsp_config()
  h.eq("tether", cfg.name)
  h.eq(require("tether.config").default_cmd(), cfg.cmd)
  h.eq(true, cfg.capabilities.experimental.tether.permissions)
  h.eq(true, cfg.capabilities.workspace.applyEdit)
  h.eq({ tether = { autoApprove = true } }, cfg.settings)
  h.eq({ A = "1" }, cfg.cmd_env)
  h.truthy(cfg.handlers["tether/session/event"] and cfg.handlers["tether/permission/request"])
  require("tether").setup({ autostart = false })
  h.eq("{}", vim.json.encode(require("tether").lsp_config().settings.tether), "empty settings are an object")
end)

h.test("lsp/tether.lua makes it a plain vim.lsp.config entry", function()
  if vim.fn.has("nvim-0.11") == 0 then
    return
  end
  local cfg = vim.lsp.config.tether
  h.truthy(cfg, "vim.lsp.config.tether resolved from the runtimepath")
  h.eq(require("tether.config").default_cmd(), cfg.cmd)
  h.truthy(vim.tbl_contains(cfg.root_markers, ".git"))
  h.eq(true, cfg.capabilities.experimental.tether.permissions)
end)

h.test("the workspace root comes from root markers, else the cwd", function()
  local base = vim.fn.tempname()
  vim.fn.mkdir(base .. "/proj/.git", "p")
  vim.fn.mkdir(base .. "/proj/src", "p")
  vim.fn.mkdir(base .. "/loose", "p")
  local real = vim.uv.fs_realpath(base)
  local client = require("tether.client")
  vim.cmd("edit " .. base .. "/proj/src/a.py")
  h.eq(real .. "/proj", client.root_for(0))
  h.eq(true, select(2, client.root_for(0)))
  vim.cmd("cd " .. base .. "/loose")
  vim.cmd("edit " .. base .. "/loose/b.py")
  h.eq(real .. "/loose", client.root_for(0))
  h.eq(true, select(2, client.root_for(0)), "under the cwd")
  vim.fn.mkdir(base .. "/stray", "p")
  vim.cmd("edit " .. base .. "/stray/c.py")
  h.eq(real .. "/stray", client.root_for(0))
  h.eq(false, select(2, client.root_for(0)), "outside any workspace")
  h.eq(nil, client.attach(vim.api.nvim_get_current_buf()), "a stray file starts no server")
  h.eq(0, #vim.lsp.get_clients({ _uninitialized = true }))
  vim.cmd("enew")
  h.eq(real .. "/loose", client.root_for(0), "an unnamed buffer uses the cwd")
  vim.b.tether_root = "/somewhere"
  h.eq("/somewhere", client.root_for(0), "a chat buffer keeps its root")
end)

h.test("a client still initializing is reused, not started twice", function()
  require("tether").setup({ autostart = false, cmd = { "cat" } }) -- never answers initialize
  local client = require("tether.client")
  local root = vim.fn.getcwd()
  local first = client.ensure(root)
  h.truthy(first and not first.initialized)
  h.eq(first.id, client.ensure(root).id)
  h.eq(first.id, client.get(root).id)
  vim.lsp.stop_client(first.id, true)
  require("tether").setup({ autostart = false })
end)

h.test("the statusline is empty without a chat", function()
  h.eq("", require("tether").status())
end)

h.test("checkhealth reports a missing server command as an error", function()
  require("tether").setup({ autostart = false, cmd = { "/nonexistent/tether-python", "-m", "tether", "serve" } })
  vim.cmd("checkhealth tether")
  local text = table.concat(h.buf_lines(0), "\n")
  h.truthy(text:find("server command not found: /nonexistent/tether-python", 1, true), text)
  h.truthy(text:find("skipped: the server command does not run", 1, true), text)
  h.eq({ "python3", "-m", "tether", "--version" }, require("tether.health").sub_command({ "python3", "-m", "tether", "serve", "--stdio" }, { "--version" }))
end)

h.test(":TetherAsk selection is in LSP coordinates (UTF-16, end exclusive)", function()
  local path = vim.fn.tempname() .. ".py"
  vim.fn.writefile({ "x = 'é'", "y = 2", "z = 3" }, path)
  vim.cmd("edit " .. path)
  local ctx = require("tether.context")
  local buf = vim.api.nvim_get_current_buf()
  h.eq({ start = { line = 0, character = 0 }, ["end"] = { line = 2, character = 0 } }, ctx.selection(buf, 1, 2))
  vim.cmd("normal! 1G05lvl\27") -- charwise: "é'" on line 1 (é is 2 bytes, 1 UTF-16 unit)
  h.eq({ start = { line = 0, character = 5 }, ["end"] = { line = 0, character = 7 } }, ctx.selection(buf, 1, 1))
  h.eq(vim.uri_from_bufnr(buf), ctx.prompt_context(buf, nil).activeFileUri)
end)

h.test("chat layouts: vsplit, split, float, tab, current", function()
  require("tether").setup({ autostart = false })
  local config = require("tether.config")
  local window = require("tether.window")
  for _, layout in ipairs({ "vsplit", "split", "float", "tab", "current" }) do
    vim.cmd("silent! only | tabonly")
    config.options.chat.layout = layout
    local before = #vim.api.nvim_tabpage_list_wins(0)
    local buf = vim.api.nvim_create_buf(false, true)
    local win = window.show(buf)
    h.eq(buf, vim.api.nvim_win_get_buf(win), layout)
    h.eq(win, vim.api.nvim_get_current_win(), layout)
    h.eq("expr", vim.wo[win].foldmethod, layout)
    local float = vim.api.nvim_win_get_config(win).relative ~= ""
    h.eq(layout == "float", float, layout .. " floating")
    if layout == "vsplit" or layout == "split" then
      h.eq(before + 1, #vim.api.nvim_tabpage_list_wins(0), layout)
    elseif layout == "tab" then
      h.eq(2, #vim.api.nvim_list_tabpages())
    elseif layout == "current" then
      h.eq(before, #vim.api.nvim_tabpage_list_wins(0))
    end
    h.eq(win, window.show(buf), "showing a visible chat focuses it")
  end
  vim.cmd("silent! only | tabonly")
end)

h.test("the statusline component carries its highlight group", function()
  local chat = require("tether.chat").create(vim.fn.getcwd())
  h.eq("Tether: idle", require("tether.statusline").status())
  h.eq("%#TetherStatusIdle#Tether: idle%*", require("tether.statusline").statusline())
  chat.state = "running"
  chat.usage = { totalTokens = 2345678 }
  h.eq("%#TetherStatusRunning#Tether: running · 2.3M tok%*", require("tether.statusline").statusline())
  vim.api.nvim_buf_delete(chat.buf, { force = true })
  h.eq("", require("tether.statusline").status(), "a deleted chat leaves the statusline")
end)

h.test("remote: TCP connect with the token in initializationOptions, bad addresses reported", function()
  local config = require("tether.config")
  h.eq({ "127.0.0.1", 7777 }, { config.parse_address("7777") })
  h.eq({ "127.0.0.1", 7777 }, { config.parse_address(":7777") })
  h.eq({ "box.lan", 7 }, { config.parse_address("box.lan:7") })
  h.eq({ "::1", 7777 }, { config.parse_address("[::1]:7777") })
  h.eq(nil, config.parse_address("host:"))
  h.eq(nil, config.parse_address("70000"))
  local tether = require("tether")
  local problems = tether.setup({ remote = { address = "nope" } })
  h.eq(1, #problems)
  h.truthy(problems[1]:find("remote.address", 1, true), problems[1])
  h.eq(nil, config.options.remote.address, "a bad address falls back to starting cmd")
  h.eq("table", type(tether.lsp_config().cmd), "no remote: the command is started")
  h.eq(nil, tether.lsp_config().init_options)

  local file = vim.fn.tempname()
  vim.fn.writefile({ "file-token", "" }, file)
  h.eq({}, tether.setup({ remote = { address = "127.0.0.1:7777", token_file = file } }))
  local cfg = tether.lsp_config()
  h.eq("function", type(cfg.cmd), "remote: vim.lsp.rpc.connect")
  h.eq("file-token", cfg.init_options.tether.token)
  h.eq({}, tether.setup({ remote = { address = "7777", token = "inline", token_file = file } }))
  h.eq("inline", tether.lsp_config().init_options.tether.token, "token wins over token_file")
  vim.env.TETHER_TOKEN = "env-token"
  h.eq({}, tether.setup({ remote = { address = "7777" } }))
  h.eq("env-token", tether.lsp_config().init_options.tether.token)
  vim.env.TETHER_TOKEN = nil
  local token, problem = require("tether.client").remote_token({ token_file = file .. ".missing" })
  h.eq(nil, token)
  h.truthy(problem:find("cannot read", 1, true), problem)
  tether.setup({})
end)

h.finish()
