// Drives a real VS Code 1.139 (code-server) in Debian's Chromium with playwright-core: installs the packaged Kanwu .vsix,
// opens the test corpus, and checks squiggles, the Problems panel, the status bar, a glossary hover (with a screenshot) and a quick-fix.
// Environment: CODE_SERVER (its bin), KANWU_VSIX, KANWU_BIN, KANWU_CORPUS (a copy it may change), KANWU_WORK (scratch folder),
// KANWU_ARTIFACTS (where screenshots go). Every wait is bounded; code-server runs in its own process group, killed on exit.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const CODE_SERVER = env("CODE_SERVER");
const VSIX = env("KANWU_VSIX");
const KANWU_BIN = env("KANWU_BIN");
const CORPUS = env("KANWU_CORPUS");
const WORK = env("KANWU_WORK");
const ARTIFACTS = env("KANWU_ARTIFACTS");
const WAIT_MS = Number(process.env.KANWU_WAIT_MS ?? 30000);
const PAGE = "pasture.txt";

const userData = path.join(WORK, "user-data");
const extensions = path.join(WORK, "extensions");
const browserProfile = path.join(WORK, "chromium");
fs.mkdirSync(path.join(userData, "User"), { recursive: true });
fs.mkdirSync(ARTIFACTS, { recursive: true });

const log = (message) => console.log(message);
let failures = 0;
let server;
let context;

// Stops code-server's whole process group (the extension host and the language server with it).
function killServer() {
  if (server?.pid) {
    for (const signal of ["SIGTERM", "SIGKILL"]) {
      try {
        process.kill(-server.pid, signal);
      } catch {
        // The group is gone already.
      }
    }
  }
}
process.on("exit", killServer);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    killServer();
    process.exit(1);
  });
}

// A gallery that answers nothing, so code-server never reaches the network.
const deadGallery = JSON.stringify({
  serviceUrl: "http://127.0.0.1:9/gallery",
  itemUrl: "http://127.0.0.1:9/item",
  resourceUrlTemplate: "http://127.0.0.1:9/{publisher}/{name}/{version}/{path}",
});
const serverEnv = {
  ...process.env,
  EXTENSIONS_GALLERY: deadGallery,
  XDG_CONFIG_HOME: path.join(WORK, "config"),
  XDG_DATA_HOME: path.join(WORK, "data"),
  // The extension finds the server through its setting; PATH alone must not hide a broken setting.
  PATH: process.env.PATH,
};

// Machine-scoped settings (kanwu.server.path) of a remote window come from the Machine settings, not the User ones.
fs.mkdirSync(path.join(userData, "Machine"), { recursive: true });
fs.writeFileSync(path.join(userData, "Machine", "settings.json"), JSON.stringify({ "kanwu.server.path": KANWU_BIN }, null, 2));
fs.writeFileSync(
  path.join(userData, "User", "settings.json"),
  JSON.stringify(
    {
      "telemetry.telemetryLevel": "off",
      "update.mode": "none",
      "extensions.autoCheckUpdates": false,
      "extensions.autoUpdate": false,
      "workbench.startupEditor": "none",
      "workbench.tips.enabled": false,
      "chat.disableAIFeatures": true,
      "editor.minimap.enabled": false,
      "editor.hover.delay": 200,
      "editor.fontSize": 16,
      "kanwu.locale": "en",
      "[kanwu]": { "editor.codeActionsOnSave": { "source.fixAll.kanwu": "explicit" } },
    },
    null,
    2,
  ),
);

async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function until(what, predicate, ms = WAIT_MS) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await predicate().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function check(name, fn) {
  const started = Date.now();
  try {
    await fn();
    log(`ok   ${name} (${Date.now() - started} ms)`);
    return true;
  } catch (error) {
    failures += 1;
    log(`FAIL ${name} (${Date.now() - started} ms): ${error?.stack ?? error}`);
    const shot = path.join(ARTIFACTS, `vscode-failure-${failures}.png`);
    await context?.pages()[0]?.screenshot({ path: shot }).then(() => log(`     screenshot: ${shot}`)).catch(() => {});
    return false;
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

// Monaco renders spaces as U+00A0; compare on ordinary spaces.
const normalise = (text) => (text ?? "").replace(/\u00a0/g, " ");

// The 1-based line and on-screen column of `needle` in the page on disk. Go to Line counts columns as the
// editor draws them, where a wide (CJK) character takes two.
function locate(file, needle) {
  const lines = fs.readFileSync(file, "utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const at = lines[i].indexOf(needle);
    if (at >= 0) {
      let column = 1;
      for (const char of lines[i].slice(0, at)) column += isWide(char) ? 2 : 1;
      return { line: i + 1, column };
    }
  }
  throw new Error(`${needle} is not in ${file}`);
}

function isWide(char) {
  const code = char.codePointAt(0);
  return (
    (code >= 0x1100 && code <= 0x115f) || (code >= 0x2e80 && code <= 0xa4cf) || (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) || (code >= 0xfe30 && code <= 0xfe4f) || (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) || code >= 0x20000
  );
}

async function goTo(page, { line, column }) {
  await page.keyboard.press("Control+G");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: WAIT_MS });
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press("Enter");
  await page.locator(".quick-input-widget").waitFor({ state: "hidden", timeout: WAIT_MS });
}

// The screen point at the middle of the first rendered occurrence of `needle` in the editor, or undefined.
async function centreOf(page, needle) {
  return page.evaluate((needle) => {
    for (const line of document.querySelectorAll(".monaco-editor .view-lines .view-line")) {
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.data.indexOf(needle);
        if (at >= 0) {
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + needle.length);
          const rect = range.getBoundingClientRect();
          return { x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 };
        }
      }
    }
    return undefined;
  }, needle);
}

// Runs a command by its title through the command palette.
async function runCommand(page, title) {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: WAIT_MS });
  await input.fill(`>${title}`);
  const item = page.locator(".quick-input-widget .monaco-list-row", { hasText: title });
  await item.first().waitFor({ state: "visible", timeout: WAIT_MS });
  await page.keyboard.press("Enter");
  await page.locator(".quick-input-widget").waitFor({ state: "hidden", timeout: WAIT_MS });
}

// The text of the extension's output channel (every Kanwu.log of this run).
function kanwuLog() {
  const logs = path.join(userData, "logs");
  return fs
    .readdirSync(logs, { recursive: true })
    .filter((file) => String(file).endsWith("Kanwu.log"))
    .map((file) => fs.readFileSync(path.join(logs, String(file)), "utf8"))
    .join("\n");
}

const editorText = async (page) => normalise(await page.locator(".monaco-editor .view-lines").first().innerText());

async function main() {
  // Install the packaged extension into a fresh extensions folder.
  const install = spawnSync(
    CODE_SERVER,
    ["--user-data-dir", userData, "--extensions-dir", extensions, "--install-extension", VSIX],
    { env: serverEnv, encoding: "utf8", timeout: 120000 },
  );
  log(normalise(install.stdout).trim());
  if (install.status !== 0) {
    throw new Error(`--install-extension failed (${install.status ?? install.signal}): ${install.stderr}`);
  }

  const port = await freePort();
  const serverLog = fs.openSync(path.join(ARTIFACTS, "code-server.log"), "w");
  server = spawn(
    CODE_SERVER,
    [
      "--user-data-dir", userData, "--extensions-dir", extensions,
      "--bind-addr", `127.0.0.1:${port}`, "--auth", "none",
      "--disable-telemetry", "--disable-update-check", "--disable-workspace-trust",
      "--disable-getting-started-override", "--disable-proxy", CORPUS,
    ],
    { env: serverEnv, detached: true, stdio: ["ignore", serverLog, serverLog] },
  );
  fs.writeFileSync(path.join(WORK, "code-server.pgid"), String(server.pid));
  await until("code-server's /healthz", async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 60000);

  context = await chromium.launchPersistentContext(browserProfile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(WAIT_MS);
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(CORPUS)}`);

  let opened = await check("the workbench loads and the page opens as a Kanwu page", async () => {
    await page.locator(".monaco-workbench").waitFor({ timeout: 60000 });
    const row = page.locator(".explorer-viewlet .monaco-list-row", { hasText: PAGE });
    await row.first().waitFor({ timeout: 60000 });
    await row.first().click();
    await until("the page's text in the editor", async () => (await editorText(page)).includes("草原上的党员先锋岗"));
    await until("the language mode Kanwu page in the status bar", async () =>
      (await page.locator(".statusbar-item", { hasText: "Kanwu page" }).count()) > 0);
  });
  if (!opened) throw new Error("the page never opened; the rest cannot run");

  await check("squiggles appear", async () => {
    await page.locator(".monaco-editor .squiggly-warning, .monaco-editor .squiggly-error").first().waitFor({ timeout: WAIT_MS });
  });

  await check("the status bar shows the file's diagnostic count", async () => {
    await until("a Kanwu status item with a count", async () => {
      const texts = await page.locator(".statusbar-item").allInnerTexts();
      return texts.map(normalise).some((text) => /Kanwu \d+/.test(text));
    });
  });

  await check("the extension followed the server's index progress (for the status bar)", async () => {
    await until("an 'Index progress ended' line in the Kanwu output", async () => kanwuLog().includes("Index progress ended:"));
  });

  await check("the Problems panel lists Kanwu diagnostics", async () => {
    await page.keyboard.press("Control+Shift+M");
    const panel = page.locator(".markers-panel");
    await panel.waitFor({ state: "visible", timeout: WAIT_MS });
    await until("a half-width-punct row from kanwu", async () => {
      const rows = (await panel.locator(".monaco-list-row").allInnerTexts()).map(normalise);
      return rows.some((row) => row.includes("kanwu") && row.includes("half-width-punct") && row.includes("should be"));
    });
    await page.keyboard.press("Control+Shift+M");
  });

  await check("hovering 两委 with the mouse shows its glossary definition (screenshot saved)", async () => {
    const hover = page.locator(".monaco-hover").filter({ hasText: "两委" });
    try {
      await until("a hover with the definition of 两委", async () => {
        const point = await centreOf(page, "两委");
        if (!point) return false;
        // Move off and back onto the term so each try starts a fresh hover.
        await page.mouse.move(point.x, point.y + 200);
        await page.waitForTimeout(100);
        await page.mouse.move(point.x, point.y);
        await hover.first().waitFor({ state: "visible", timeout: 2000 });
        const text = normalise(await hover.first().innerText({ timeout: 1000 }));
        return text.includes("村（嘎查）党组织委员会和村（嘎查）民委员会的合称");
      });
    } finally {
      // The hover fades in; let it settle so the screenshot shows it at full contrast.
      await page.waitForTimeout(800);
      await page.screenshot({ path: path.join(ARTIFACTS, "vscode-hover.png") });
    }
    log(`     hover: ${normalise(await hover.first().innerText()).replace(/\s+/g, " ").slice(0, 200)}`);
    await page.mouse.move(5, 5);
    await page.keyboard.press("Escape");
  });

  await check("a quick-fix through Ctrl+. replaces the ASCII comma", async () => {
    await page.locator(".monaco-editor .view-lines").first().click();
    await goTo(page, locate(path.join(CORPUS, PAGE), ","));
    // The menu lists what the editor has asked the server for at this cursor; when Ctrl+. comes
    // before that answer the menu can come up empty, so it is opened again (at most three times).
    const item = page.locator(".action-widget .monaco-list-row", { hasText: "Replace with" });
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press("Control+.");
      try {
        await item.first().waitFor({ state: "visible", timeout: WAIT_MS / 3 });
        break;
      } catch (error) {
        if (attempt === 3) throw error;
        await page.keyboard.press("Escape");
      }
    }
    await item.first().click();
    await until("the fixed text in the editor", async () => (await editorText(page)).includes("近日，某某嘎查两委"));
    // One diagnostic is left (the line-wrap hint), and the status bar follows.
    await until("the status bar to count one diagnostic", async () =>
      (await page.locator(".statusbar-item").allInnerTexts()).map(normalise).some((text) => /Kanwu 1\b/.test(text)));
  });

  await check("the command Kanwu: Fix all artefacts in this file applies the safe fixes", async () => {
    await page.locator(".monaco-editor .view-lines").first().click();
    await goTo(page, locate(path.join(CORPUS, PAGE), "上的"));
    await page.keyboard.type(",");
    await until("the typed ASCII comma in the editor", async () => (await editorText(page)).includes("草原,上的"));
    const fixed = "草原，上的";
    await until("the status bar to count the new diagnostic", async () =>
      (await page.locator(".statusbar-item").allInnerTexts()).map(normalise).some((text) => /Kanwu 2\b/.test(text)));
    await runCommand(page, "Kanwu: Fix all artefacts in this file");
    await until("the comma fixed by fix-all", async () => (await editorText(page)).includes(fixed));
  });

  await check("saving applies source.fixAll.kanwu (editor.codeActionsOnSave)", async () => {
    await page.locator(".monaco-editor .view-lines").first().click();
    await goTo(page, locate(path.join(CORPUS, PAGE), "办实事"));
    await page.keyboard.type(",");
    await until("the typed ASCII comma in the editor", async () => (await editorText(page)).includes("为牧民,办实事"));
    await page.keyboard.press("Control+S");
    await until("the page saved with the comma fixed", async () =>
      fs.readFileSync(path.join(CORPUS, PAGE), "utf8").includes("为牧民，办实事"));
    expect((await editorText(page)).includes("为牧民，办实事"), "the editor does not show the fixed comma");
  });

  await check("the command Kanwu: Restart server brings the server back", async () => {
    await runCommand(page, "Kanwu: Restart server");
    await until("a second server start in the Kanwu output", async () => kanwuLog().split("Starting ").length - 1 >= 2);
    await until("the status bar to count the page's diagnostic again", async () =>
      (await page.locator(".statusbar-item").allInnerTexts()).map(normalise).some((text) => /Kanwu 1\b/.test(text)));
  });

  await check("a GB18030 page opens decoded (the editor and the server see the same text)", async () => {
    const row = page.locator(".explorer-viewlet .monaco-list-row", { hasText: "gb18030-page.txt" });
    await row.first().click();
    await until("the GB18030 page's headline in the editor", async () => (await editorText(page)).includes("草原书屋开进嘎查"));
    await until("GB18030 as the encoding in the status bar", async () =>
      (await page.locator(".statusbar-item").allInnerTexts()).map(normalise).some((text) => /^GB ?18030$/.test(text.trim())));
    // The page is clean (as `kanwu check` says): no warning that the editor read it in the wrong encoding.
    await until("the status bar to show no Kanwu diagnostics for this page", async () => {
      const texts = (await page.locator(".statusbar-item").allInnerTexts()).map(normalise);
      return texts.some((text) => text.trim() === "Kanwu") && !texts.some((text) => /Kanwu \d/.test(text));
    });
  });

  await check("a kanwu.server.path that names no binary is reported, and correcting it brings the server back", async () => {
    const machineSettings = path.join(userData, "Machine", "settings.json");
    const missing = path.join(WORK, "no-such-kanwu");
    const startsBefore = kanwuLog().split("Starting ").length;
    fs.writeFileSync(machineSettings, JSON.stringify({ "kanwu.server.path": missing }, null, 2));
    const toast = page.locator(".notification-toast", { hasText: "was not found at kanwu.server.path" });
    await toast.first().waitFor({ state: "visible", timeout: WAIT_MS });
    expect(normalise(await toast.first().innerText()).includes(missing), "the message does not name the configured path");
    await until("the error in the Kanwu output", async () => kanwuLog().includes(`not found at kanwu.server.path (${missing})`));
    fs.writeFileSync(machineSettings, JSON.stringify({ "kanwu.server.path": KANWU_BIN }, null, 2));
    await until("the server started again", async () => kanwuLog().split("Starting ").length > startsBefore);
  });

  await page.screenshot({ path: path.join(ARTIFACTS, "vscode-final.png") });
}

try {
  await main();
} catch (error) {
  failures += 1;
  log(`FAIL ${error?.stack ?? error}`);
  const page = context?.pages()[0];
  if (page) await page.screenshot({ path: path.join(ARTIFACTS, "vscode-failure.png") }).catch(() => {});
} finally {
  await context?.close().catch(() => {});
  killServer();
}
log(failures === 0 ? "vscode suite: all checks passed" : `vscode suite: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
