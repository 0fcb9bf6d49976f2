-- Kanwu's Neovim plugin entry: filetype detection for pages, user commands and default highlight groups.
if vim.g.loaded_kanwu then
  return
end
vim.g.loaded_kanwu = true

-- A `.txt` file is a Kanwu page when a `kanwu.toml` lies in its folder or above; other `.txt`
-- files fall through to Neovim's own detection (the positive priority runs before extensions).
vim.filetype.add({
  pattern = {
    ['.*%.txt'] = {
      function(path)
        if vim.fs.root(path, 'kanwu.toml') then
          return 'kanwu'
        end
      end,
      { priority = 10 },
    },
  },
})

vim.api.nvim_create_user_command('KanwuFixAll', function()
  require('kanwu').fix_all()
end, { desc = 'Kanwu: fix all artefacts in this file' })

vim.api.nvim_create_user_command('KanwuReindex', function()
  require('kanwu').reindex()
end, { desc = 'Kanwu: reindex the corpus' })

require('kanwu').define_highlights()
-- Colour schemes clear highlights; link the defaults again after one loads.
vim.api.nvim_create_autocmd('ColorScheme', {
  group = vim.api.nvim_create_augroup('kanwu_highlights', { clear = true }),
  callback = function()
    require('kanwu').define_highlights()
  end,
})
