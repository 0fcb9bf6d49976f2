// Copies the shared TextMate grammar (grammars/kanwu.tmLanguage.json) into the extension before compiling and packaging.
const fs = require("fs");
const path = require("path");

const source = path.join(__dirname, "..", "..", "..", "grammars", "kanwu.tmLanguage.json");
const target = path.join(__dirname, "..", "syntaxes", "kanwu.tmLanguage.json");
fs.mkdirSync(path.dirname(target), { recursive: true });
// Parsing first makes a broken grammar fail the build rather than the editor.
JSON.parse(fs.readFileSync(source, "utf8"));
fs.copyFileSync(source, target);
