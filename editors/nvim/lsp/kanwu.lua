-- The Kanwu language server's configuration for Neovim 0.11+, found by vim.lsp.enable('kanwu').
-- require('kanwu').setup({...}) lays the server path and settings over it with vim.lsp.config().

---@type vim.lsp.Config
return {
  cmd = { 'kanwu', 'serve', '--stdio' },
  filetypes = { 'kanwu' },
  root_markers = { 'kanwu.toml', '.git' },
  -- The server reads the `kanwu` section through workspace/configuration.
  settings = { kanwu = {} },
}
