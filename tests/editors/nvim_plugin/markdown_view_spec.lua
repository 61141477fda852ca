-- The chat's view (issue 15, Neovim 2): treesitter markdown with conceal, tool rows shown
-- as a summary with an icon (the `> [!tool]` markup concealed), diff lines coloured.
local h = dofile(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)) .. "/harness.lua")
local chatbuf = require("tether.chatbuf")
local view = require("tether.markdown_view")
require("tether").setup({ autostart = false })

local LINES = {
  "# Tether chat",
  "",
  "## You",
  "",
  "Add a docstring",
  "",
  "## Tether",
  "",
  "> [!tool] edit hello.py · waiting",
  "> ````diff",
  "> --- a/hello.py",
  "> +++ b/hello.py",
  "> @@ -1,2 +1,3 @@",
  ">  def greet(name):",
  "> +    \"\"\"Greet someone.\"\"\"",
  "> -    pass",
  "> ````",
  "",
  "I added a **docstring** to `greet()`.",
  "",
  "## You",
  "",
  "",
}

---@return table<integer, vim.api.keyset.extmark_details[]> by 0-based row
local function marks(buf)
  local out = {}
  for _, m in ipairs(vim.api.nvim_buf_get_extmarks(buf, view.ns, 0, -1, { details = true })) do
    out[m[2]] = out[m[2]] or {}
    table.insert(out[m[2]], m[4])
  end
  return out
end

h.test("the chat buffer is rendered by treesitter markdown with conceal", function()
  local buf = chatbuf.create(vim.fn.getcwd(), LINES, { send = function() end, stop = function() end })
  vim.api.nvim_set_current_buf(buf)
  h.truthy(vim.b[buf].tether_treesitter, "treesitter markdown started")
  h.truthy(vim.treesitter.highlighter.active[buf], "a treesitter highlighter is attached")
  h.eq(2, vim.wo.conceallevel)
  h.eq("nc", vim.wo.concealcursor)
  -- `**` of the answer is concealed by the markdown_inline queries
  vim.treesitter.get_parser(buf):parse(true) -- the inline injection, as a redraw would
  local concealed = vim.treesitter.get_captures_at_pos(buf, 18, 10)
  local names = vim.tbl_map(function(c)
    return c.capture
  end, concealed)
  h.truthy(vim.tbl_contains(names, "conceal") and vim.tbl_contains(names, "markup.strong"),
    vim.inspect(names))
end)

h.test("a tool row shows its summary behind an icon, the callout markup concealed", function()
  local buf = chatbuf.create(vim.fn.getcwd(), LINES, { send = function() end, stop = function() end })
  local row = marks(buf)[8]
  h.truthy(row, "the tool row is decorated")
  h.eq("", row[1].conceal)
  h.eq(#"> [!tool] ", row[1].end_col)
  h.eq("⚙ ", row[1].virt_text[1][1])
  h.eq("inline", row[1].virt_text_pos)
  h.eq("⚙ edit hello.py · waiting", view.visible(LINES[9]))
end)

h.test("diff lines are coloured by kind, only inside a diff fence", function()
  local buf = chatbuf.create(vim.fn.getcwd(), LINES, { send = function() end, stop = function() end })
  local m = marks(buf)
  h.eq("TetherDiffFile", m[10][1].hl_group)
  h.eq("TetherDiffFile", m[11][1].hl_group)
  h.eq("TetherDiffHunk", m[12][1].hl_group)
  h.eq(nil, m[13], "context line")
  h.eq("TetherDiffAdd", m[14][1].hl_group)
  h.eq("TetherDiffDelete", m[15][1].hl_group)
  h.eq(2, m[14][1].col or 2, "the quote itself keeps its colour")
  h.eq(nil, m[16], "the closing fence")
  -- after the fence, a `-` line is text again
  vim.api.nvim_buf_set_lines(buf, 19, 20, false, { "- a list item" })
  view.decorate(buf)
  h.eq(nil, marks(buf)[19])
end)

h.finish()
