-- Neovim 0.11+: `vim.lsp.enable("tether")` picks this up from the runtimepath; override
-- fields with `vim.lsp.config("tether", {...})`. Options come from require("tether.config").
return require("tether.client").lsp_config()
