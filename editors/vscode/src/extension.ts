// The Kanwu VS Code extension: a thin client that starts `kanwu serve --stdio`, passes settings and adds a few commands.
import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import {
  CodeActionKind,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  StaticFeature,
  TransportKind,
  WorkDoneProgress,
  WorkDoneProgressCreateRequest,
} from "vscode-languageclient/node";

const LANGUAGE = "kanwu";
const CONFIG_FILE = "kanwu.toml";
const FIX_ALL_KIND = "source.fixAll.kanwu";
const REINDEX_COMMAND = "kanwu.reindex";

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let status: vscode.StatusBarItem;
let missingReported = false;
/** The index progress the server reports, shown in the status bar while it runs. */
let indexProgress: string | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  // A log channel: vscode-languageclient 10 and later call its `error`/`info` methods.
  output = vscode.window.createOutputChannel("Kanwu", { log: true });
  status = vscode.window.createStatusBarItem("kanwu.status", vscode.StatusBarAlignment.Left, 10);
  status.name = "Kanwu";
  status.command = "kanwu.showOutput";
  context.subscriptions.push(output, status);

  context.subscriptions.push(
    vscode.commands.registerCommand("kanwu.fixAll", fixAll),
    vscode.commands.registerCommand("kanwu.reindexCorpus", reindex),
    vscode.commands.registerCommand("kanwu.showOutput", () => output.show(true)),
    vscode.commands.registerCommand("kanwu.restartServer", async () => {
      await stopClient();
      missingReported = false;
      await startClient(context);
    }),
    vscode.workspace.onDidOpenTextDocument(adoptPage),
    vscode.window.onDidChangeActiveTextEditor(() => updateStatus()),
    vscode.languages.onDidChangeDiagnostics(() => updateStatus()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => vscode.commands.executeCommand("kanwu.restartServer")),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("kanwu.server.path")) {
        await vscode.commands.executeCommand("kanwu.restartServer");
      }
    }),
  );

  // Pages already open when the extension activates become Kanwu pages too.
  for (const document of vscode.workspace.textDocuments) {
    await adoptPage(document);
  }
  await startClient(context);
}

export async function deactivate(): Promise<void> {
  await stopClient();
}

/** The folder holding `kanwu.toml` at or above `file`, within its workspace folder, if any. */
function configFolder(file: vscode.Uri): string | undefined {
  const folder = vscode.workspace.getWorkspaceFolder(file);
  if (!folder || file.scheme !== "file") {
    return undefined;
  }
  const top = folder.uri.fsPath;
  let dir = path.dirname(file.fsPath);
  for (;;) {
    if (fs.existsSync(path.join(dir, CONFIG_FILE))) {
      return dir;
    }
    if (dir === top || path.dirname(dir) === dir || !dir.startsWith(top)) {
      return undefined;
    }
    dir = path.dirname(dir);
  }
}

/** Gives plain-text `.txt` pages of a workspace with `kanwu.toml` the `kanwu` language; other `.txt` files are left alone. */
async function adoptPage(document: vscode.TextDocument): Promise<void> {
  if (document.languageId !== "plaintext" || !document.uri.fsPath.toLowerCase().endsWith(".txt")) {
    return;
  }
  if (configFolder(document.uri)) {
    // Decode first, so that the server's didOpen (sent when the language changes) has the right text.
    await reopenLegacyEncoding(document);
    await vscode.languages.setTextDocumentLanguage(document, LANGUAGE);
  }
}

/**
 * A page adopted here was decoded before it became a Kanwu page, so the `[kanwu]` default of
 * `files.autoGuessEncoding` did not apply to it. When its bytes are not UTF-8 but it was read as UTF-8,
 * it is read again as GB18030 (the encoding of the pages that are not UTF-8), so that the editor and the
 * server see the same text. Pages associated through `files.associations` are guessed by VS Code itself.
 */
async function reopenLegacyEncoding(document: vscode.TextDocument): Promise<void> {
  // `encoding` and `openTextDocument(uri, { encoding })` exist from VS Code 1.100 on.
  const current = (document as { encoding?: string }).encoding;
  if (current === undefined || current !== "utf8" || document.isDirty || document.uri.scheme !== "file") {
    return;
  }
  let bytes: Uint8Array;
  try {
    bytes = await vscode.workspace.fs.readFile(document.uri);
  } catch {
    return;
  }
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return;
  } catch {
    // Not UTF-8: fall through.
  }
  try {
    new TextDecoder("gb18030", { fatal: true }).decode(bytes);
  } catch {
    return;
  }
  output.info(`${document.uri.fsPath} is not UTF-8; reading it again as GB18030.`);
  const workspace = vscode.workspace as unknown as {
    openTextDocument(uri: vscode.Uri, options: { encoding: string }): Thenable<vscode.TextDocument>;
  };
  try {
    await workspace.openTextDocument(document.uri, { encoding: "gb18030" });
  } catch (error) {
    output.warn(`Could not reopen ${document.uri.fsPath} as GB18030: ${String(error)}`);
  }
}

/** Finds the server: the `kanwu.server.path` setting (a workspace value only when the workspace is trusted), then `kanwu` on PATH. */
function findServer(): string | undefined {
  const inspected = vscode.workspace.getConfiguration("kanwu").inspect<string>("server.path");
  const fromWorkspace = vscode.workspace.isTrusted
    ? inspected?.workspaceFolderValue || inspected?.workspaceValue
    : undefined;
  if (!vscode.workspace.isTrusted && (inspected?.workspaceFolderValue || inspected?.workspaceValue)) {
    output.warn("This workspace is not trusted: its kanwu.server.path setting is ignored.");
  }
  const configured = fromWorkspace || inspected?.globalValue;
  if (configured) {
    const resolved = configured.replace(/^~(?=$|\/)/, process.env.HOME ?? "~");
    return isExecutable(resolved) ? resolved : undefined;
  }
  const exe = process.platform === "win32" ? "kanwu.exe" : "kanwu";
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, exe))) {
      return path.join(dir, exe);
    }
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const command = findServer();
  if (!command) {
    updateStatus();
    if (!missingReported) {
      missingReported = true;
      const configured = vscode.workspace.getConfiguration("kanwu").get<string>("server.path");
      const what = configured
        ? `The Kanwu language server was not found at kanwu.server.path (${configured}).`
        : "The Kanwu language server (kanwu) was not found on PATH.";
      output.error(what);
      const choice = await vscode.window.showErrorMessage(
        `${what} Install it with \`cargo install --path server/kanwu\` from a Kanwu checkout, or set kanwu.server.path to the binary.`,
        "Open Settings",
      );
      if (choice === "Open Settings") {
        await vscode.commands.executeCommand("workbench.action.openSettings", "kanwu.server.path");
      }
    }
    return;
  }
  output.info(`Starting ${command} serve --stdio`);
  // TransportKind.stdio appends `--stdio` itself, giving `kanwu serve --stdio`.
  const serverOptions: ServerOptions = {
    run: { command, args: ["serve"], transport: TransportKind.stdio },
    debug: { command, args: ["serve"], transport: TransportKind.stdio },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: LANGUAGE },
      { scheme: "untitled", language: LANGUAGE },
    ],
    // Settings are read by the server through workspace/configuration (section `kanwu`);
    // a change sends workspace/didChangeConfiguration, after which the server asks again.
    synchronize: { configurationSection: "kanwu" },
    outputChannel: output,
    traceOutputChannel: output,
    markdown: { isTrusted: false, supportHtml: false },
  };
  client = new LanguageClient("kanwu", "Kanwu", serverOptions, clientOptions);
  // Registered features initialise after the built-in ones, so this handler of progress creation
  // replaces the default notification before the server can start indexing.
  client.registerFeature(new IndexProgressFeature(client));
  client.onDidChangeState((event) => {
    if (event.newState === State.Stopped) {
      indexProgress = undefined;
    }
    updateStatus();
  });
  try {
    await client.start();
  } catch (error) {
    output.error(`The Kanwu language server failed to start: ${String(error)}`);
    void vscode.window.showErrorMessage(`Kanwu: the language server failed to start (${String(error)}). See "Kanwu: Show server output".`);
    return;
  }
  updateStatus();
}

async function stopClient(): Promise<void> {
  const running = client;
  client = undefined;
  indexProgress = undefined;
  if (running) {
    try {
      await running.stop(5000);
    } catch (error) {
      output.warn(`Stopping the server: ${String(error)}`);
    }
  }
  updateStatus();
}

/** Follows the server's work-done progress (the corpus index) in the status bar. */
class IndexProgressFeature implements StaticFeature {
  constructor(private readonly running: LanguageClient) {}

  fillClientCapabilities(capabilities: { window?: { workDoneProgress?: boolean } }): void {
    capabilities.window = { ...capabilities.window, workDoneProgress: true };
  }

  getState(): { kind: "static" } {
    return { kind: "static" };
  }

  initialize(): void {
    this.running.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
      let title = "Indexing";
      const disposable = this.running.onProgress(WorkDoneProgress.type, token, (value) => {
        if (value.kind === "end") {
          indexProgress = undefined;
          output.info(`Index progress ended: ${title}: ${value.message ?? "done"}`);
          disposable.dispose();
        } else {
          if (value.kind === "begin") {
            title = value.title;
          }
          const percent = value.percentage !== undefined ? ` ${value.percentage}%` : "";
          const message = value.message ? ` (${value.message})` : "";
          indexProgress = `${title}${percent}${message}`;
        }
        updateStatus();
      });
    });
  }

  clear(): void {
    indexProgress = undefined;
  }
}

function updateStatus(): void {
  const editor = vscode.window.activeTextEditor;
  const onPage = editor?.document.languageId === LANGUAGE;
  if (!client && !onPage) {
    status.hide();
    return;
  }
  if (!client || client.state !== State.Running) {
    status.text = "$(circle-slash) Kanwu";
    status.tooltip = "The Kanwu language server is not running. Click for its output.";
  } else if (indexProgress) {
    status.text = `$(sync~spin) Kanwu ${indexProgress}`;
    status.tooltip = "Kanwu is indexing the corpus.";
  } else if (onPage && editor) {
    const count = vscode.languages.getDiagnostics(editor.document.uri).filter((d) => d.source === "kanwu").length;
    status.text = count === 0 ? "$(check) Kanwu" : `$(warning) Kanwu ${count}`;
    status.tooltip = `${count} Kanwu diagnostic${count === 1 ? "" : "s"} in this file. Click for the server output.`;
  } else {
    status.text = "$(check) Kanwu";
    status.tooltip = "The Kanwu language server is running.";
  }
  status.show();
}

/** Applies the server's `source.fixAll.kanwu` action to the active page. */
async function fixAll(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!client || !editor || editor.document.languageId !== LANGUAGE) {
    void vscode.window.showInformationMessage("Kanwu: open a page to fix.");
    return;
  }
  // The server computes a fix-all edit only when asked to resolve the action: resolve the few
  // actions of this kind (the fourth argument) so that `edit` is filled in.
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
    "vscode.executeCodeActionProvider",
    editor.document.uri,
    new vscode.Range(0, 0, editor.document.lineCount, 0),
    FIX_ALL_KIND,
    10,
  );
  const action = actions?.find((candidate) => candidate.kind?.value === FIX_ALL_KIND || candidate.kind?.value === CodeActionKind.SourceFixAll + ".kanwu");
  if (!action) {
    void vscode.window.showInformationMessage("Kanwu: nothing to fix in this file.");
    return;
  }
  if (action.edit) {
    await vscode.workspace.applyEdit(action.edit);
  }
  if (action.command) {
    await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
  }
}

/** Asks the server to index the corpus again. */
async function reindex(): Promise<void> {
  if (!client || client.state !== State.Running) {
    void vscode.window.showWarningMessage("Kanwu: the language server is not running.");
    return;
  }
  const commands = client.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
  if (!commands.includes(REINDEX_COMMAND)) {
    void vscode.window.showWarningMessage("Kanwu: this version of the language server cannot reindex the corpus.");
    return;
  }
  await client.sendRequest(ExecuteCommandRequest.type, { command: REINDEX_COMMAND, arguments: [] });
}
