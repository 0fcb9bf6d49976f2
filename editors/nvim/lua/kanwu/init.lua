-- Kanwu for Neovim: require('kanwu').setup({...}) configures and enables the language server; the commands' code.
local M = {}

--- The kind of the server's fix-all source action.
M.FIX_ALL_KIND = 'source.fixAll.kanwu'
--- The server command that rebuilds the corpus index.
M.REINDEX_COMMAND = 'kanwu.reindex'

--- The glossary categories: the modifiers of the semantic token type `term`, and their default links.
M.categories = {
  organization = 'Type',
  role = 'Identifier',
  formula = 'String',
  practice = 'Function',
  administrative = 'Constant',
  culture = 'Character',
  rural = 'Label',
  epidemic = 'Special',
}

--- Links the semantic token groups to standard groups, unless the user or a colour scheme set them.
function M.define_highlights()
  local set = function(group, link)
    vim.api.nvim_set_hl(0, group, { link = link, default = true })
  end
  set('KanwuTerm', 'Special')
  set('@lsp.type.term', 'KanwuTerm')
  set('@lsp.type.term.kanwu', '@lsp.type.term')
  for category, link in pairs(M.categories) do
    local group = 'KanwuTerm' .. category:sub(1, 1):upper() .. category:sub(2)
    set(group, link)
    set('@lsp.typemod.term.' .. category, group)
  end
end

--- Configures the server and enables it.
--- Options: `cmd` (list, default { 'kanwu', 'serve', '--stdio' }) or `server_path` (string);
--- `settings` (the `kanwu` section: rules, ignore, locale, fixAll = { layout }, debounceMs);
--- `enable` (default true); `on_attach`, `capabilities` and any other vim.lsp.Config field are passed on.
function M.setup(opts)
  opts = opts or {}
  local config = {}
  for key, value in pairs(opts) do
    if key ~= 'server_path' and key ~= 'settings' and key ~= 'enable' then
      config[key] = value
    end
  end
  if opts.server_path then
    config.cmd = { vim.fn.expand(opts.server_path), 'serve', '--stdio' }
  end
  if opts.settings then
    config.settings = { kanwu = opts.settings }
  end
  local cmd = config.cmd or { 'kanwu', 'serve', '--stdio' }
  if vim.fn.executable(cmd[1]) ~= 1 then
    vim.notify(
      ('Kanwu: the language server `%s` was not found. Install it with `cargo install --path server/kanwu` from a Kanwu checkout, or pass server_path to setup().'):format(cmd[1]),
      vim.log.levels.ERROR
    )
  end
  vim.lsp.config('kanwu', config)
  if opts.enable ~= false then
    vim.lsp.enable('kanwu')
  end
end

--- Updates the settings of running clients and tells the server, which asks for them again.
function M.set_settings(settings)
  vim.lsp.config('kanwu', { settings = { kanwu = settings } })
  for _, client in ipairs(vim.lsp.get_clients({ name = 'kanwu' })) do
    client.settings = { kanwu = settings }
    client:notify('workspace/didChangeConfiguration', { settings = client.settings })
  end
end

local function client_for(bufnr)
  return vim.lsp.get_clients({ bufnr = bufnr or 0, name = 'kanwu' })[1]
end

--- Applies the server's `source.fixAll.kanwu` action to the current buffer.
function M.fix_all()
  if not client_for(0) then
    vim.notify('Kanwu: the language server is not attached to this buffer', vim.log.levels.WARN)
    return
  end
  vim.lsp.buf.code_action({
    context = { only = { M.FIX_ALL_KIND }, diagnostics = {} },
    apply = true,
  })
end

--- Asks the server to index the corpus again.
function M.reindex()
  local client = client_for(0) or vim.lsp.get_clients({ name = 'kanwu' })[1]
  if not client then
    vim.notify('Kanwu: the language server is not running', vim.log.levels.WARN)
    return
  end
  local provider = client.server_capabilities.executeCommandProvider or {}
  if not vim.tbl_contains(provider.commands or {}, M.REINDEX_COMMAND) then
    vim.notify('Kanwu: this version of the language server cannot reindex the corpus', vim.log.levels.WARN)
    return
  end
  client:exec_cmd({ title = 'Reindex corpus', command = M.REINDEX_COMMAND, arguments = {} })
end

return M
