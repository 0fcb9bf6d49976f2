-- Drives a real headless Neovim 0.11 with the Kanwu plugin over the test corpus: attach, diagnostics, hover, references, quick-fix, formatting.
-- Run by tests/editors/run.sh as `nvim --headless --clean -u NONE --cmd 'set rtp^=editors/nvim' -l this-file`;
-- KANWU_BIN names the server binary and KANWU_CORPUS the corpus copy to open. Exits 0 on success.

local WAIT_MS = tonumber(vim.env.KANWU_WAIT_MS or '20000')
local corpus = assert(vim.env.KANWU_CORPUS, 'KANWU_CORPUS is not set')
local bin = assert(vim.env.KANWU_BIN, 'KANWU_BIN is not set')
local failures = 0

local function log(message)
  io.stdout:write(message .. '\n')
  io.stdout:flush()
end

local function fail(message)
  error({ kanwu_failure = message }, 0)
end

-- Runs one named check; a failure is reported and the run goes on to the end, then exits 1.
local function check(name, fn)
  local started = vim.uv.hrtime()
  local ok, err = xpcall(fn, function(e)
    if type(e) == 'table' and e.kanwu_failure then
      return e.kanwu_failure
    end
    return debug.traceback(tostring(e), 2)
  end)
  local ms = math.floor((vim.uv.hrtime() - started) / 1e6)
  if ok then
    log(('ok   %s (%d ms)'):format(name, ms))
  else
    failures = failures + 1
    log(('FAIL %s (%d ms): %s'):format(name, ms, err))
  end
  return ok
end

-- Waits for `predicate` to hold, polling the event loop, or fails with `what`.
local function wait_for(what, predicate)
  if not vim.wait(WAIT_MS, predicate, 50) then
    fail(('timed out after %d ms waiting for %s'):format(WAIT_MS, what))
  end
end

local function expect(condition, message)
  if not condition then
    fail(message)
  end
end

-- The 0-based (row, byte column) of the first `needle` in buffer `buf`.
local function find(buf, needle)
  for row, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local col = line:find(needle, 1, true)
    if col then
      return row - 1, col - 1
    end
  end
  fail(('text %q is not in the buffer'):format(needle))
end

local function position_params(client, buf, row, col)
  vim.api.nvim_win_set_cursor(0, { row + 1, col })
  return vim.lsp.util.make_position_params(0, client.offset_encoding)
end

-- A request whose answer is awaited with a bounded wait.
local function request(client, method, params, buf)
  local done, result, err = false, nil, nil
  client:request(method, params, function(e, r)
    err, result, done = e, r, true
  end, buf)
  wait_for(method .. ' to answer', function()
    return done
  end)
  expect(err == nil, method .. ' failed: ' .. vim.inspect(err))
  return result
end

vim.lsp.log.set_level(vim.env.KANWU_LSP_LOG_LEVEL or 'debug')
vim.cmd('filetype on')
vim.cmd('runtime plugin/kanwu.lua')
local kanwu = require('kanwu')
kanwu.setup({
  cmd = { bin, 'serve', '--stdio' },
  settings = { locale = 'en', debounceMs = 50, fixAll = { layout = false } },
})

local page = corpus .. '/pasture.txt'
local buf, client

check('the plugin defines its commands and highlight groups', function()
  expect(vim.fn.exists(':KanwuFixAll') == 2, ':KanwuFixAll is missing')
  expect(vim.fn.exists(':KanwuReindex') == 2, ':KanwuReindex is missing')
  local term = vim.api.nvim_get_hl(0, { name = '@lsp.type.term', link = true })
  expect(term.link == 'KanwuTerm', '@lsp.type.term is not linked to KanwuTerm: ' .. vim.inspect(term))
  for category in pairs(kanwu.categories) do
    local group = vim.api.nvim_get_hl(0, { name = '@lsp.typemod.term.' .. category, link = true })
    expect(group.link ~= nil, '@lsp.typemod.term.' .. category .. ' is not linked')
  end
end)

check('a page of a corpus with kanwu.toml gets the kanwu filetype, a plain .txt does not', function()
  local outside = vim.fn.tempname() .. '.txt'
  vim.fn.writefile({ 'hello' }, outside)
  expect(vim.filetype.match({ filename = outside }) ~= 'kanwu', 'a .txt outside any corpus was taken as kanwu')
  vim.cmd.edit(vim.fn.fnameescape(page))
  buf = vim.api.nvim_get_current_buf()
  expect(vim.bo[buf].filetype == 'kanwu', 'filetype is ' .. vim.bo[buf].filetype)
end)

check('the client attaches', function()
  wait_for('the kanwu client to attach', function()
    client = vim.lsp.get_clients({ bufnr = buf, name = 'kanwu' })[1]
    return client ~= nil and client.initialized
  end)
  expect(client.config.root_dir == corpus, 'root_dir is ' .. tostring(client.config.root_dir))
end)
if not client then
  log('kanwu: the client never attached; stopping here')
  os.exit(1)
end

check('diagnostics arrive (half-width-punct on 近日,)', function()
  wait_for('a half-width-punct diagnostic', function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.code == 'half-width-punct' then
        return true
      end
    end
  end)
  local d = vim.tbl_filter(function(d)
    return d.code == 'half-width-punct'
  end, vim.diagnostic.get(buf))[1]
  local row, col = find(buf, ',')
  expect(d.lnum == row and d.col == col, ('diagnostic at %d:%d, comma at %d:%d'):format(d.lnum, d.col, row, col))
  expect(d.source == 'kanwu', 'source is ' .. tostring(d.source))
  -- The locale setting reached the server through workspace/configuration.
  expect(d.message:find('should be', 1, true) ~= nil, 'message is not English: ' .. d.message)
end)

check('hover on 两委 shows its glossary definition', function()
  expect(client.server_capabilities.hoverProvider, 'the server does not advertise hoverProvider (glossary hover, issue 4)')
  local row, col = find(buf, '两委')
  local result = request(client, 'textDocument/hover', position_params(client, buf, row, col + 3), buf)
  expect(result and result.contents, 'no hover at 两委')
  local contents = result.contents
  local text = type(contents) == 'string' and contents or contents.value or vim.inspect(contents)
  expect(text:find('两委', 1, true), 'hover does not name the term: ' .. text)
  expect(text:find('村（嘎查）党组织委员会和村（嘎查）民委员会的合称', 1, true), 'hover lacks the definition: ' .. text)
end)

check('semantic tokens mark 两委 as a term with its category, linked to the plugin groups', function()
  local row, col = find(buf, '两委')
  local groups
  wait_for('semantic token highlights on 两委', function()
    groups = {}
    for _, token in ipairs(vim.inspect_pos(buf, row, col + 3).semantic_tokens) do
      groups[token.opts.hl_group] = true
    end
    return groups['@lsp.type.term.kanwu'] ~= nil
  end)
  expect(groups['@lsp.typemod.term.organization.kanwu'], 'no organization modifier: ' .. vim.inspect(groups))
  local resolved = vim.api.nvim_get_hl(0, { name = '@lsp.typemod.term.organization', link = false })
  local expected = vim.api.nvim_get_hl(0, { name = 'Type', link = false })
  expect(vim.deep_equal(resolved, expected), 'organization terms are not drawn like Type')
end)

check('references to 两委 span both pages', function()
  expect(client.server_capabilities.referencesProvider, 'the server does not advertise referencesProvider (corpus index, issue 5)')
  local row, col = find(buf, '两委')
  vim.api.nvim_win_set_cursor(0, { row + 1, col })
  local items
  vim.lsp.buf.references({ includeDeclaration = true }, {
    on_list = function(list)
      items = list.items
    end,
  })
  wait_for('the references list', function()
    return items ~= nil
  end)
  local files = {}
  for _, item in ipairs(items) do
    files[vim.fs.basename(item.filename)] = (files[vim.fs.basename(item.filename)] or 0) + 1
    expect(item.text:find('两委', 1, true), 'a reference line lacks 两委: ' .. item.text)
  end
  expect(files['pasture.txt'] and files['river.txt'], 'references are not in both pages: ' .. vim.inspect(files))
end)

check('the quick-fix replaces the ASCII comma', function()
  local row, col = find(buf, '近日,')
  vim.api.nvim_win_set_cursor(0, { row + 1, col + #'近日' })
  local applied = false
  vim.lsp.buf.code_action({
    filter = function(action)
      return action.title:find('，', 1, true) ~= nil and action.kind == 'quickfix'
    end,
    apply = true,
  })
  wait_for('the quick-fix to change the buffer', function()
    applied = vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1]:find('近日，某某嘎查', 1, true) ~= nil
    return applied
  end)
  wait_for('the half-width-punct diagnostic to go', function()
    return #vim.tbl_filter(function(d)
      return d.code == 'half-width-punct'
    end, vim.diagnostic.get(buf)) == 0
  end)
end)

check('formatting joins the column wrap', function()
  local before = vim.api.nvim_buf_line_count(buf)
  vim.lsp.buf.format({ bufnr = buf, name = 'kanwu', timeout_ms = WAIT_MS })
  local text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
  expect(text:find('嘎查两委班子召开会议，研究春季接羔保育工作。嘎查党支部书记', 1, true), 'the wrap is not joined:\n' .. text)
  expect(vim.api.nvim_buf_line_count(buf) == before - 1, ('%d lines before, %d after'):format(before, vim.api.nvim_buf_line_count(buf)))
  expect(text:find('□本报记者 林晓', 1, true), 'formatting damaged the byline:\n' .. text)
end)

check(':KanwuFixAll applies the safe fixes of the page', function()
  -- Put an artefact back (an ASCII comma) and let the server see it before fixing.
  local row, col = find(buf, '截至目前，')
  vim.api.nvim_buf_set_text(buf, row, col + #'截至目前', row, col + #'截至目前，', { ',' })
  wait_for('a half-width-punct diagnostic on the new comma', function()
    return #vim.tbl_filter(function(d)
      return d.code == 'half-width-punct' and d.lnum == row
    end, vim.diagnostic.get(buf)) > 0
  end)
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  vim.cmd('KanwuFixAll')
  wait_for(':KanwuFixAll to restore the comma', function()
    return vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1]:find('截至目前，全嘎查', 1, true) ~= nil
  end)
  expect(not client:is_stopped(), 'the server stopped')
end)

for _, c in ipairs(vim.lsp.get_clients()) do
  c:stop()
end
vim.wait(2000, function()
  return #vim.lsp.get_clients() == 0
end)
log(failures == 0 and 'nvim suite: all checks passed' or ('nvim suite: %d check(s) failed'):format(failures))
os.exit(failures == 0 and 0 or 1)
