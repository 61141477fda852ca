// Drives the Tether extension inside code-server with headless Chromium (playwright-core).
// Usage: node e2e.mjs '<json config>'  (NODE_PATH must reach vscode-client/node_modules)
// Config: {scenario: "main"|"review", url, chromium, artifacts, dataDir, typed, docstring,
// title}. Logs steps on stderr,
// prints one JSON report line on stdout, exits 1 on the first failed step (with a
// screenshot "failure.png" in the artifacts folder).
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";

const require = createRequire(path.join(process.env.NODE_PATH ?? ".", "noop.js"));
const { chromium } = require("playwright-core");

const config = JSON.parse(process.argv[2]);
const report = {};
const started = Date.now();
const log = (...args) => console.error(`[e2e +${((Date.now() - started) / 1000).toFixed(1)}s]`, ...args);
const LONG = 90_000;

let page;

async function shot(name) {
  await page.screenshot({ path: path.join(config.artifacts, `${name}.png`) });
}

async function step(name, fn) {
  log(`step: ${name}`);
  await fn();
}

/** The frame of the Tether chat webview (nested iframes in VS Code for the web). */
async function chatFrame(timeout = LONG) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      try {
        if (await frame.$("#prompt")) return frame;
      } catch {
        // Frame detached while we looked: try the next one.
      }
    }
    await page.waitForTimeout(250);
  }
  throw new Error("the Tether chat webview did not appear");
}

/** Show the Tether view container and return its chat frame. Clicking the container's
 * icon toggles it, so it is clicked only while the container is not the active one: after a
 * reload the workbench restores the open container itself, and a click would then hide it. */
async function showTetherContainer() {
  const item = page.locator('.activitybar .action-item:has(a[aria-label^="Tether"])').first();
  const deadline = Date.now() + LONG;
  while (Date.now() < deadline) {
    const active = await item.evaluate((el) => el.classList.contains("checked")).catch(() => false);
    if (!active) await item.locator("a").click();
    try {
      return await chatFrame(5000);
    } catch {
      // Not there yet (the workbench is still restoring, or the click raced it): look again.
    }
  }
  throw new Error("the Tether chat webview did not appear");
}

async function editorText() {
  const text = await page.locator(".editor-instance .monaco-editor .view-lines").first().innerText();
  return text.replace(/\u00a0/g, " ");
}

/** Run a command from the palette (F1): type `title`, wait for the row showing `row`, Enter.
 *  The quick input stays open for commands that ask more; it is returned. */
async function runCommand(title, row) {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible" });
  await input.fill(`>${title}`);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: row }).first().waitFor();
  await page.keyboard.press("Enter");
  return input;
}

async function main() {
  const browser = await chromium.launch({
    executablePath: config.chromium,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1500, height: 950 } });
    page = await context.newPage();
    page.on("pageerror", (err) => log("page error:", err.message));
    await openWorkbench();
    if (config.scenario.startsWith("missing")) {
      await missingServer();
    } else if (config.scenario.startsWith("remote")) {
      await remoteScenario();
    } else if (config.scenario === "restore") {
      await restoreScenario(await openChat());
    } else if (config.scenario === "provider-down") {
      await providerDownScenario();
    } else if (config.scenario === "settings") {
      await settingsScenario(await openChat());
    } else if (config.scenario === "history-rows") {
      await historyRowsScenario(await openChat());
    } else {
      await openFileAndType();
      const chat = await openChat();
      if (config.scenario === "review") await review(chat);
      else if (config.scenario === "long") await longTurn(chat);
      else if (config.scenario === "mentions") await mentionsScenario(chat);
      else if (config.scenario === "changes") await changesScenario(chat);
      else if (config.scenario === "codeblocks") await codeBlocksScenario(chat);
      else await mainScenario(chat);
    }
  } catch (err) {
    log("FAILED:", err?.stack ?? err);
    if (page) await shot("failure").catch(() => undefined);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(report));
}

async function openWorkbench() {
  await step("open the workbench", async () => {
    await page.goto(config.url, { waitUntil: "domcontentloaded" });
    await page.locator(".monaco-workbench").waitFor({ timeout: LONG });
    await page.locator(".activitybar").waitFor({ timeout: LONG });
    await shot("01-workbench");
  });
}

async function openFileAndType() {
  await step("open hello.py and type unsaved text", async () => {
    await page.keyboard.press("Control+P");
    const input = page.locator(".quick-input-widget input");
    await input.waitFor({ state: "visible" });
    await input.fill("hello.py");
    await page.locator(".quick-input-list .monaco-list-row", { hasText: "hello.py" }).first().waitFor();
    await page.keyboard.press("Enter");
    await page.locator(".tabs-container .tab", { hasText: "hello.py" }).waitFor();
    await page.locator(".editor-instance .monaco-editor .view-lines").first().click();
    await page.keyboard.press("Control+End");
    await page.keyboard.type(`\n${config.typed}`, { delay: 5 });
    await page.locator(".tabs-container .tab.dirty", { hasText: "hello.py" }).waitFor();
    await shot("02-typed");
  });
}

async function openChat() {
  let chat;
  await step("open the Tether chat view", async () => {
    chat = await showTetherContainer();
    await chat.locator("#server-banner").waitFor({ state: "hidden", timeout: LONG });
    await shot("03-chat-open");
  });
  return chat;
}

async function mainScenario(chat) {
  await step("send a prompt and approve the command inline", async () => {
    await chat.locator("#prompt").fill("Add a docstring to greet()");
    await chat.locator("#prompt").press("Enter");
    const allow = chat.locator('.permission button[data-option="allow_once"]');
    await allow.waitFor({ timeout: LONG });
    await shot("04-permission");
    await allow.click();
    const perm = chat.locator(".permission").first();
    await chat.locator('.permission[data-state="allow_once"]').waitFor({ timeout: LONG });
    report.permissionState = await perm.getAttribute("data-state");
    const run = chat.locator('details.tool[data-status="done"]', { hasText: "run_command" });
    await run.waitFor({ timeout: LONG });
    await run.locator("summary").click();
    report.commandOutput = await run.locator(".tool-output").innerText();
  });

  await step("see the streamed answer", async () => {
    await chat.locator(".msg.assistant .body", { hasText: "The change is in your editor" }).waitFor({ timeout: LONG });
    await chat.locator('.turn-end[data-status="completed"]').waitFor({ timeout: LONG });
    report.answer = await chat.locator(".msg.assistant .body").last().innerText();
    report.answerHasBold = (await chat.locator(".msg.assistant .body strong").count()) > 0;
    report.gauge = await chat.locator("#gauge-text").innerText();
    report.editStatus = await chat
      .locator("details.tool", { hasText: "hello.py" })
      .first()
      .getAttribute("data-status");
    await shot("05-answer");
  });

  await step("find the edit in the editor, unsaved", async () => {
    const text = await editorText();
    report.editorText = text;
    report.editorHasEdit = text.includes(config.docstring);
    report.editorHasTyped = text.includes(config.typed);
    report.dirty = (await page.locator(".tabs-container .tab.dirty", { hasText: "hello.py" }).count()) > 0;
    if (!report.editorHasEdit || !report.editorHasTyped) throw new Error(`editor text: ${text}`);
    await shot("06-editor");
  });

  await step("the session appears in the history view", async () => {
    const history = page.locator(".pane", { has: page.locator(".pane-header", { hasText: "History" }) });
    const header = history.locator(".pane-header");
    if ((await header.getAttribute("aria-expanded")) === "false") await header.click();
    const row = history.locator(".monaco-list-row", { hasText: config.title });
    await row.first().waitFor({ timeout: LONG });
    report.historyTitles = await history.locator(".monaco-list-row .label-name").allInnerTexts();
    await shot("07-history");
  });

  await step("Stop cancels a slow turn", async () => {
    await chat.locator("#prompt").fill("Tell me a long story");
    await chat.locator("#prompt").press("Enter");
    await chat.locator(".msg.assistant.streaming .body", { hasText: "Once upon" }).waitFor({ timeout: LONG });
    await shot("08-streaming");
    // Typing while the turn runs steers it: the message joins the running turn.
    await chat.locator("#send", { hasText: "Steer" }).waitFor();
    await chat.locator("#prompt").fill("Keep it short");
    await chat.locator("#prompt").press("Enter");
    await chat.locator(".msg.user", { hasText: "You (steer)" }).waitFor({ timeout: LONG });
    report.steerShown = true;
    await chat.locator("#stop").click();
    const end = chat.locator(".turn-end").last();
    await chat.locator('.turn-end[data-status="cancelled"]').waitFor({ timeout: LONG });
    report.stoppedStatus = await end.getAttribute("data-status");
    report.steerRefused = (await chat.locator(".notice.warning, .notice.error").count()) > 0;
    await shot("09-stopped");
  });

  const history = page.locator(".pane", { has: page.locator(".pane-header", { hasText: "History" }) });
  const titles = async () => history.locator(".monaco-list-row .label-name").allInnerTexts();
  const rowAction = async (title, action) => {
    const row = history.locator(".monaco-list-row", { hasText: title }).first();
    await row.hover();
    await row.locator(`.action-label[aria-label="${action}"]`).click();
  };
  const answerInput = async (text) => {
    const input = page.locator(".quick-input-widget input");
    await input.waitFor({ state: "visible" });
    await input.fill(text);
    await page.keyboard.press("Enter");
  };
  const titleAction = async (action) => {
    await history.locator(".pane-header").hover();
    await history.locator(`.pane-header .action-label[aria-label="${action}"]`).click();
  };

  await step("the Tether output channel logs the server and the index", async () => {
    await runCommand("Tether: Show Log", "Show Log");
    const output = page.locator(".part.panel .view-lines", { hasText: "index ready" }).first();
    await output.waitFor({ timeout: LONG });
    report.outputLog = (await output.innerText()).replace(/\u00a0/g, " ");
    report.statusBar = await page.locator(".statusbar-item", { hasText: "Tether" }).first().innerText();
    await shot("10-output");
  });

  await step("rename, fork, filter and delete in the history view", async () => {
    await rowAction(config.title, "Rename Session");
    await answerInput("Greeting docs");
    await history.locator(".monaco-list-row", { hasText: "Greeting docs" }).first().waitFor({ timeout: LONG });
    report.titlesAfterRename = await titles();

    const renamed = history.locator(".monaco-list-row", { hasText: "Greeting docs" }).first();
    await renamed.click({ button: "right" });
    const exportItem = page.locator(".context-view .action-item", { hasText: "Export Session as Markdown" });
    await exportItem.waitFor();
    // VS Code ignores a menu click that comes too fast after the menu opened.
    await page.waitForTimeout(500);
    const box = await exportItem.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.waitForTimeout(80);
    await page.mouse.up();
    const exported = page.locator(".editor-instance .view-lines", { hasText: "Add a docstring to greet()" });
    await exported.first().waitFor({ timeout: LONG });
    report.exportedTab = await page.locator(".tabs-container .tab.active").innerText();
    await shot("11-exported");

    await rowAction("Greeting docs", "Fork Session");
    await history.locator(".monaco-list-row", { hasText: "Greeting docs (fork)" }).waitFor({ timeout: LONG });
    report.titlesAfterFork = await titles();
    await chat.locator(".msg.user .body", { hasText: "Add a docstring to greet()" }).first().waitFor();
    report.forkTranscriptUsers = await chat.locator(".msg.user .body").count();

    await titleAction("Search Sessions");
    await answerInput("fork");
    await waitFor("the filter", async () => (await titles()).length === 2); // folder + one session
    report.titlesFiltered = await titles();
    await shot("12-filtered");
    await titleAction("Clear Filter");
    await waitFor("the filter to clear", async () => (await titles()).length === 3);

    await rowAction("Greeting docs (fork)", "Delete Session");
    await page.locator(".monaco-dialog-box .monaco-button", { hasText: "Delete" }).click();
    await waitFor("the deleted row to go", async () => (await titles()).length === 2);
    report.titlesAfterDelete = await titles();
    await chat.locator("#empty").waitFor({ state: "visible" });
    report.chatClearedAfterDelete = true;
    await shot("13-history-actions");
  });
}

async function mentionsScenario(chat) {
  await step("type @ and pick a file from the popup", async () => {
    const prompt = chat.locator("#prompt");
    const item = chat.locator("#mentions .mention", { hasText: "hello.py" });
    // The index may still be building: type the mention again until items come.
    await waitFor("mention items", async () => {
      await prompt.fill("");
      await prompt.pressSequentially("Explain @hel", { delay: 20 });
      return await item.first().isVisible({ timeout: 2000 }).catch(() => false);
    });
    await shot("10-mention-popup");
    await prompt.press("Enter");
    report.promptAfterPick = await prompt.inputValue();
    await prompt.press("Enter");
  });
  await step("the answer and the session cost in the gauge", async () => {
    await chat.locator(".msg.assistant .body", { hasText: "hello.py greets" }).waitFor({ timeout: LONG });
    await chat.locator('.turn-end[data-status="completed"]').waitFor({ timeout: LONG });
    await waitFor("cost in the gauge", async () =>
      (await chat.locator("#gauge-text").innerText()).includes("$"),
    );
    report.gauge = await chat.locator("#gauge-text").innerText();
    report.statusBar = await page.locator(".statusbar-item", { hasText: "Tether" }).first().innerText();
    await shot("11-mention-and-cost");
  });
}

async function missingServer() {
  await step("a missing server gets a message with the fix", async () => {
    const toast = page.locator(".notification-toast", { hasText: "could not start its server" });
    await toast.first().waitFor({ timeout: LONG });
    report.errorToast = (await toast.first().innerText()).replace(/\s+/g, " ");
    report.toastButtons = await toast.first().locator(".monaco-button").allInnerTexts();
    await page.waitForTimeout(1500); // would a second, generic error toast follow?
    report.toastCount = await page.locator(".notification-toast").count();
    const chat = await showTetherContainer();
    const banner = chat.locator("#server-banner");
    await banner.waitFor({ state: "visible", timeout: LONG });
    report.banner = await banner.innerText();
    await shot("02-missing-server");
  });
}

async function remoteScenario() {
  await step("a remote server without a token asks for one", async () => {
    const toast = page.locator(".notification-toast", { hasText: "needs the server's token" });
    await toast.first().waitFor({ timeout: LONG });
    report.tokenToast = (await toast.first().innerText()).replace(/\s+/g, " ");
    await shot("02-remote-needs-token");
    await toast.first().locator(".monaco-button", { hasText: "Set Remote Token" }).click();
    await page.locator('.quick-input-widget input[type="password"]').waitFor({ timeout: LONG });
    await page.keyboard.type(config.token);
    await page.keyboard.press("Enter");
  });
  const chat = await openChat();
  await step("chat through the remote server", async () => {
    await chat.locator("#prompt").fill("Hello remote");
    await chat.locator("#prompt").press("Enter");
    const answer = chat.locator(".msg.assistant .body", { hasText: config.remoteAnswer });
    await answer.waitFor({ timeout: LONG });
    report.remoteAnswer = (await answer.innerText()).trim();
    await shot("03-remote-answer");
  });
}

/** Change `tether.model` while the editor runs (as the Settings UI writes it), New, send. */
async function settingsScenario(chat) {
  const ask = async (text, answer, name) => {
    await chat.locator("#prompt").fill(text);
    await chat.locator("#prompt").press("Enter");
    await chat.locator(".msg.assistant .body", { hasText: answer }).waitFor({ timeout: LONG });
    await shot(name);
  };
  await step("a first chat with the configured model", async () => {
    await ask("First question", config.firstAnswer, "02-first-model");
  });
  await step("change tether.model in the running editor", async () => {
    // The Settings UI, as a user changes it.
    await runCommand("Preferences: Open User Settings", "Open User Settings");
    const search = page.locator(".settings-editor .settings-header .monaco-editor textarea").first();
    await search.waitFor({ timeout: LONG });
    await search.fill("tether.model");
    // `tether.model` also matches Compaction Model: take the item labelled exactly "Model".
    const item = page.locator(".settings-editor .settings-tree-container .setting-item-contents")
      .filter({ has: page.locator(".setting-item-label", { hasText: /^Model$/ }) }).first();
    const field = item.locator("input").first();
    await field.waitFor({ timeout: LONG });
    await field.fill(config.newModel);
    await field.press("Tab");
    await waitFor("the setting to be saved", async () =>
      fs.readFileSync(config.userSettings, "utf8").includes(config.newModel));
    await shot("03-settings-ui");
    report.picker = await waitFor("the model picker to select the new model", async () => {
      const v = await chat.locator("#model").inputValue();
      return v.includes(config.newModel) ? v : null;
    });
    await shot("03-model-changed");
  });
  await step("New, then send: the new chat uses the new model", async () => {
    await chat.locator("#new").click();
    await chat.locator("#empty").waitFor({ state: "visible" });
    const status = page.locator(".statusbar-item", { hasText: "Tether" }).first();
    await waitFor("the status bar to name the new model", async () =>
      ((await status.innerText().catch(() => "")) || "").includes(config.newModel));
    report.statusBar = (await status.innerText()).replace(/\s+/g, " ");
    await ask("Second question", config.secondAnswer, "04-new-model-answer");
    report.statusBarAfter = (await page.locator(".statusbar-item", { hasText: "Tether" }).first().innerText())
      .replace(/\s+/g, " ");
  });
}

/** Reopen the window: the chat shows the workspace's last session; it opens in an editor tab. */
async function restoreScenario(chat) {
  await step("a chat before the window is reopened", async () => {
    await chat.locator("#prompt").fill(config.prompt);
    await chat.locator("#prompt").press("Enter");
    await chat.locator(".msg.assistant .body", { hasText: config.answer }).waitFor({ timeout: LONG });
    await shot("02-before-reload");
  });
  await step("reopen the window: the last session is back", async () => {
    await page.reload({ waitUntil: "domcontentloaded" });
    await page.locator(".monaco-workbench").waitFor({ timeout: LONG });
    const again = await openChat();
    const user = again.locator(".msg.user .body", { hasText: config.prompt });
    await user.waitFor({ timeout: LONG });
    report.restoredUser = (await user.innerText()).trim();
    report.restoredAnswer = (await again.locator(".msg.assistant .body").last().innerText()).trim();
    await shot("03-restored");
  });
  await step("Tether: Open Chat in Editor shows the same chat in a tab", async () => {
    await runCommand("Tether: Open Chat in Editor", "Open Chat in Editor");
    await page.locator(".tabs-container .tab", { hasText: "Tether Chat" }).waitFor({ timeout: LONG });
    report.chatFrames = await waitFor("a second chat webview", async () => {
      let n = 0;
      for (const frame of page.frames()) {
        try {
          if (await frame.$(".msg.user")) n++;
        } catch {
          // detached while we looked
        }
      }
      return n >= 2 ? n : null;
    });
    await shot("04-chat-in-editor");
  });
}

/** A provider that does not answer: its state shows when the chat opens, the failed
 *  prompt is one error card with fix buttons, and Open Settings shows the setting. */
async function providerDownScenario() {
  let chat;
  await step("the chat shows the provider's state before the user types", async () => {
    chat = await showTetherContainer();
    const state = chat.locator("#provider-state");
    await state.waitFor({ state: "visible", timeout: LONG });
    report.providerState = (await state.innerText()).replace(/\s+/g, " ");
    report.providerButtons = await state.locator("button").allInnerTexts();
    await shot("02-provider-state");
  });
  await step("a failed prompt is one error card with its fixes", async () => {
    await chat.locator("#prompt").fill("Hello?");
    await chat.locator("#prompt").press("Enter");
    const card = chat.locator("#transcript .notice.error");
    await card.first().waitFor({ timeout: LONG });
    await chat.locator("#transcript .turn-end.failed").waitFor({ state: "attached", timeout: LONG });
    await page.waitForTimeout(500); // would a second card or a "Failed:" line follow?
    report.errorCards = await card.count();
    report.errorCard = (await card.first().innerText()).replace(/\s+/g, " ");
    report.cardButtons = await card.first().locator("button").allInnerTexts();
    report.failedLineVisible = await chat.locator("#transcript .turn-end.failed").isVisible();
    report.transcriptText = (await chat.locator("#transcript").innerText()).replace(/\s+/g, " ");
    await shot("03-error-card");
  });
  await step("Open Settings shows the setting that fixes it", async () => {
    await chat.locator('#transcript .notice.error button[data-fix="openSettings"]').first().click();
    const search = page.locator(".settings-editor .settings-header .monaco-editor").first();
    await search.waitFor({ timeout: LONG });
    await page.locator(".settings-editor .settings-count-widget", { hasText: "Setting" })
      .waitFor({ timeout: LONG });
    report.settingsSearch = (await search.innerText()).replace(/\u00a0/g, " ").trim();
    await shot("04-open-settings");
  });
}

/** The language server started for this test: found by its TETHER_DATA_DIR. */
function serverPids() {
  const pids = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (!cmdline.includes("tether") || !cmdline.includes("serve")) continue;
      const environ = fs.readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
      if (environ.includes(`TETHER_DATA_DIR=${config.dataDir}`)) pids.push(Number(entry));
    } catch {
      // The process went away or is not ours to read.
    }
  }
  return pids;
}

async function waitFor(what, predicate, timeout = LONG) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    const value = await predicate();
    if (value) return value;
    await page.waitForTimeout(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function longTurn(chat) {
  await step("a long turn compacts its context and stops at the step limit", async () => {
    await chat.locator("#prompt").fill("Read every data file");
    await chat.locator("#prompt").press("Enter");
    const line = chat.locator('.compaction[data-status="done"]').first();
    await line.waitFor({ timeout: LONG });
    report.compactionLine = await line.innerText();
    await chat.locator('.turn-end[data-status="step_limit"]').waitFor({ timeout: LONG });
    await shot("20-step-limit");
  });

  await step("hovering the gauge shows the context breakdown", async () => {
    await chat.locator("#gauge").hover();
    report.gaugeTitle = await waitFor("the breakdown tooltip", async () => {
      const title = await chat.locator("#gauge").getAttribute("title");
      return title && title.startsWith("Next request:") ? title : null;
    });
  });

  await step("Continue resumes the task from the checkpoint", async () => {
    const button = chat.locator('.turn-end[data-status="step_limit"] button.continue');
    await button.click();
    await chat.locator(".msg.assistant .body", { hasText: "All data files read." }).waitFor({ timeout: LONG });
    await chat.locator('.turn-end[data-status="completed"]').waitFor({ timeout: LONG });
    report.continueButtonsLeft = await chat.locator("button.continue").count();
    await shot("21-continued");
  });
}

/** editApproval "ask": reject a proposed edit with a comment, accept the next, rewind it. */
async function changesScenario(chat) {
  await step("a proposed edit shows its diff; Reject sends the comment", async () => {
    await chat.locator("#prompt").fill("Add a docstring to greet()");
    await chat.locator("#prompt").press("Enter");
    const card = chat.locator(".permission").first();
    await card.locator('button[data-option="reject"]').waitFor({ timeout: LONG });
    report.proposedDiff = await card.locator(".diff").innerText();
    report.acceptLabel = await card.locator('button[data-option="allow_once"]').innerText();
    await card.locator(".permission-comment").fill(config.comment);
    await shot("04-proposed-edit");
    await card.locator('button[data-option="reject"]').click();
    await chat.locator('.permission[data-state="reject"]').waitFor({ timeout: LONG });
    await chat.locator(".msg.assistant .body", { hasText: "Leaving it" }).waitFor({ timeout: LONG });
    await chat.locator('.turn-end[data-status="completed"]').first().waitFor({ timeout: LONG });
    report.editorAfterReject = await editorText();
    await shot("05-rejected");
  });

  await step("the next proposal is accepted and lands in the buffer", async () => {
    await chat.locator("#prompt").fill("Please add it after all");
    await chat.locator("#prompt").press("Enter");
    const always = chat.locator('.permission[data-state="pending"] button[data-option="allow_always"]');
    await always.waitFor({ timeout: LONG });
    const cardsBefore = await chat.locator(".permission").count();
    await always.click();
    await chat.locator(".msg.assistant .body", { hasText: "Added it" }).waitFor({ timeout: LONG });
    report.cardsInTurnTwo = (await chat.locator(".permission").count()) - cardsBefore + 1;
    report.notesOnDisk = fs.existsSync(path.join(config.workspace, "NOTES.md"))
      ? fs.readFileSync(path.join(config.workspace, "NOTES.md"), "utf8")
      : null;
    report.tabsAfterAccept = await page.locator(".tabs-container .tab").allInnerTexts();
    await waitFor("two ended turns", async () =>
      (await chat.locator('.turn-end[data-status="completed"]').count()) === 2,
    );
    report.editorAfterAccept = await waitFor("the docstring in the buffer", async () => {
      const t = await editorText();
      return t.includes(config.docstring) ? t : null;
    });
    // Keep / Undo over the hunk, inline in the editor (CodeLens).
    const lens = page.locator(".monaco-editor .codelens-decoration a", { hasText: "Tether: Keep" });
    await lens.first().waitFor({ timeout: LONG });
    report.codeLens = await page.locator(".monaco-editor .codelens-decoration").first().innerText();
    await shot("06-accepted");
  });

  await step("Rewind to here on the last turn undoes it, typed text kept", async () => {
    await chat.locator(".turn-end .turn-rewind").last().click();
    await chat.locator(".notice", { hasText: "Rewound 1 turn(s)" }).waitFor({ timeout: LONG });
    await page.locator(".tabs-container .tab", { hasText: "hello.py" }).first().click();
    report.rewindNotice = await chat.locator(".notice", { hasText: "Rewound" }).first().innerText();
    report.editorAfterRewind = await waitFor("the docstring to go", async () => {
      const t = await editorText();
      return t.includes(config.docstring) ? null : t;
    });
    await waitFor("the Keep / Undo lens to go", async () =>
      (await page.locator(".monaco-editor .codelens-decoration a", { hasText: "Tether: Keep" }).count()) === 0,
    );
    report.lensGone = true;
    await shot("07-rewound");
  });
}

/** The editor's text once it holds `needle` (present) or no longer does. */
async function editorTextOnce(what, needle, present) {
  return waitFor(what, async () => {
    const t = await editorText();
    return t.includes(needle) === present ? t : null;
  });
}

/** A code block of the answer: highlighted with theme colours; Apply to File puts it in
 *  the dirty buffer through the server's edit path; the chat's edit row undoes it. */
async function codeBlocksScenario(chat) {
  const block = chat.locator(".msg.assistant pre > code").first();
  await step("the answer's code block is highlighted", async () => {
    await chat.locator("#prompt").fill("Strip the name in greet()");
    await chat.locator("#prompt").press("Enter");
    await chat.locator('.turn-end[data-status="completed"]').first().waitFor({ timeout: LONG });
    await chat.locator(".code-bar").first().waitFor({ timeout: LONG });
    report.codeLang = await chat.locator(".code-bar .code-lang").first().innerText();
    report.tokenClasses = await block.evaluate((code) =>
      [...new Set([...code.querySelectorAll("span")].map((s) => s.className))].sort());
    report.colours = await block.evaluate((code) => {
      const keyword = code.querySelector(".hljs-keyword");
      return { keyword: keyword ? getComputedStyle(keyword).color : null, plain: getComputedStyle(code).color };
    });
    report.codeText = await block.evaluate((code) => code.textContent);
    await shot("04-highlighted");
  });
  await step("Apply to File changes the dirty buffer", async () => {
    await chat.locator('.code-bar button[data-code-action="apply"]').first().click();
    report.editorAfterApply = await editorTextOnce("the block in the buffer", config.applied, true);
    report.dirtyAfterApply = await page.locator(".tabs-container .tab.dirty", { hasText: "hello.py" }).count();
    // Reviewable like an agent edit: the Keep / Undo lens over the block's hunk.
    const lens = page.locator(".monaco-editor .codelens-decoration a", { hasText: "Tether: Keep" });
    await lens.first().waitFor({ timeout: LONG });
    report.codeLensAfterApply = await page.locator(".monaco-editor .codelens-decoration").first().innerText();
    const card = chat.locator("details.tool", { has: chat.locator(".edit.applied") }).last();
    await card.waitFor({ timeout: LONG });
    report.cardSummary = await card.locator("summary").innerText();
    await card.locator("summary").click(); // the compact card opens to its diff and Undo
    const row = card.locator(".edit.applied", { hasText: "hello.py" });
    await row.waitFor({ timeout: LONG });
    report.editRow = await row.innerText();
    await shot("05-applied");
  });
  await step("Undo on the edit row takes the block back", async () => {
    await chat.locator("details.tool .edit.applied .edit-undo").last().click();
    report.editorAfterUndo = await editorTextOnce("the block to go", config.applied, false);
    const notice = chat.locator(".notice", { hasText: "Undone:" }).last();
    await notice.waitFor({ timeout: LONG });
    report.undoNotice = await notice.innerText();
    await shot("06-undone");
  });
  await step("a dark theme recolours the tokens (theme variables, not a palette)", async () => {
    // The command, not the theme picker (whose list also offers the Marketplace).
    await runCommand("Preferences: Toggle between Light/Dark Themes", "Toggle between Light/Dark Themes");
    report.darkColours = await waitFor("the keyword colour to change", async () => {
      const colours = await block.evaluate((code) => ({
        keyword: getComputedStyle(code.querySelector(".hljs-keyword")).color,
        plain: getComputedStyle(code).color,
      }));
      return colours.keyword !== report.colours.keyword ? colours : null;
    });
    await block.scrollIntoViewIfNeeded();
    await shot("07-dark-theme");
  });
}

async function review(chat) {
  await step("keyboard: Ctrl+Alt+C focuses the chat input, Enter sends", async () => {
    await page.locator(".editor-instance .monaco-editor .view-lines").first().click();
    await page.keyboard.press("Control+Alt+C");
    await waitFor("the chat input to take focus", async () =>
      chat.evaluate(() => document.activeElement?.id === "prompt"),
    );
    await page.keyboard.type("Add a docstring to greet()");
    await page.keyboard.press("Enter");
    report.keyboardSent = true;
  });

  await step("an edit opens a before/after diff", async () => {
    await page.locator(".tabs-container .tab", { hasText: "Tether edit" }).waitFor({ timeout: LONG });
    report.diffOpened = true;
    const modified = page.locator(".monaco-diff-editor .editor.modified .view-lines").first();
    await modified.waitFor();
    const text = (await modified.innerText()).replace(/\u00a0/g, " ");
    report.editorHasEditBeforeReject = text.includes(config.docstring);
    await shot("04-diff");
  });

  await step("Reject reverts that edit in the buffer", async () => {
    const reject = page.locator(".notification-toast .monaco-button", { hasText: "Reject" });
    await reject.first().click({ timeout: LONG });
    await waitFor("the diff to close", async () =>
      (await page.locator(".tabs-container .tab", { hasText: "Tether edit" }).count()) === 0,
    );
    await page.locator(".tabs-container .tab", { hasText: "hello.py" }).first().click();
    const text = await waitFor("the docstring to go", async () => {
      const t = await editorText();
      return t.includes(config.docstring) ? null : t;
    });
    report.editorHasEditAfterReject = text.includes(config.docstring);
    report.editorHasTyped = text.includes(config.typed);
    await chat.locator('.turn-end[data-status="completed"]').waitFor({ timeout: LONG });
    await shot("05-rejected");
  });

  const history = page.locator(".pane", { has: page.locator(".pane-header", { hasText: "History" }) });
  await step("resume the session from the history view", async () => {
    const row = history.locator(".monaco-list-row", { hasText: "Review the docstring" }).first();
    await row.waitFor({ timeout: LONG });
    // Keyboard: Ctrl+L in the chat starts a new chat.
    await chat.locator("#prompt").focus();
    await page.keyboard.press("Control+L");
    await chat.locator("#empty").waitFor({ state: "visible", timeout: 10_000 });
    report.newChatByKey = true;
    report.tabsAfterNewChatKey = await page.locator(".tabs-container .tab").allInnerTexts();
    await row.click();
    const answer = chat.locator(".msg.assistant .body", { hasText: "Added the docstring" });
    await answer.waitFor({ timeout: LONG });
    report.resumedUser = await chat.locator(".msg.user .body").first().innerText();
    report.resumedAnswer = await answer.innerText();
    await shot("06-resumed");
  });

  await step("the server restarts after a crash", async () => {
    const before = await waitFor("the tether server process", async () => serverPids()[0]);
    process.kill(before, "SIGKILL");
    const after = await waitFor("a new tether server process", async () =>
      serverPids().find((pid) => pid !== before),
    );
    report.serverRestarted = after !== before;
    await chat.locator("#server-banner").waitFor({ state: "hidden", timeout: LONG });
    await chat.locator("#prompt").fill("Are you back?");
    await chat.locator("#prompt").press("Enter");
    const answer = chat.locator(".msg.assistant .body", { hasText: "Back after the restart." });
    await answer.waitFor({ timeout: LONG });
    report.answerAfterRestart = (await answer.innerText()).trim();
    await shot("07-after-restart");
  });

  await step("Ask about Selection sends the selected lines", async () => {
    await page.locator(".tabs-container .tab", { hasText: "hello.py" }).first().click();
    await page.locator(".editor-instance .monaco-editor .view-lines").first().click();
    await page.keyboard.press("Control+Home");
    await page.keyboard.press("Shift+End");
    const input = await runCommand("Tether: Ask about Selection", "Ask about Selection");
    await page.locator(".quick-input-widget .quick-input-message", { hasText: "Ask Tether" })
      .or(page.locator(".quick-input-widget", { hasText: "Ask Tether about the selection" }))
      .first()
      .waitFor({ timeout: LONG });
    await input.fill("What does this do?");
    await page.keyboard.press("Enter");
    const answer = chat.locator(".msg.assistant .body", { hasText: "It returns a greeting." });
    await answer.waitFor({ timeout: LONG });
    report.selectionAnswer = (await answer.innerText()).trim();
    await shot("08-ask-selection");
  });

  await step("Set API Key keeps the key in secret storage and hands it to the server", async () => {
    const before = serverPids()[0];
    const input = await runCommand("Tether: Set API Key", "Set API Key");
    await page.locator(".quick-input-list .monaco-list-row", { hasText: "OpenAI" }).first().waitFor();
    await input.fill("OpenAI");
    await page.keyboard.press("Enter");
    await page.locator('.quick-input-widget input[type="password"]').waitFor({ timeout: LONG });
    await page.keyboard.type(config.secret);
    await page.keyboard.press("Enter");
    const restart = page.locator(".notification-toast .monaco-button", { hasText: "Restart Server" });
    await restart.first().click({ timeout: LONG });
    const after = await waitFor("the restarted server", async () =>
      serverPids().find((pid) => pid !== before),
    );
    // The server takes the key from its environment, then re-executes itself without it
    // (the value travels through a pipe, TETHER_SECRETS_FD): wait for the new image.
    const environ = await waitFor("the server to hand the key over", async () => {
      const vars = fs.readFileSync(`/proc/${after}/environ`, "utf8").split("\0");
      return vars.some((v) => v.startsWith("TETHER_SECRETS_FD=")) ? vars : null;
    });
    report.serverHasKey = true;
    report.keyLeftInEnviron = environ.some((v) => v.includes(config.secret));
    await chat.locator("#server-banner").waitFor({ state: "hidden", timeout: LONG });
    await shot("09-api-key");
  });
}

/** Issue 15 (VS Code 4 and 6): History rows told apart by the first prompt line, the
 * files touched and a failed mark; search finds the prompt; the History view folds; the
 * chat moves to the Secondary Side Bar by command. */
async function historyRowsScenario(chat) {
  const history = page.locator(".pane", { has: page.locator(".pane-header", { hasText: "History" }) });
  const rows = history.locator(".monaco-list-row");
  const send = async (text) => {
    await chat.locator("#prompt").fill(text);
    await chat.locator("#prompt").press("Enter");
  };
  const command = (title) => runCommand(title, title);

  await step("a session that edits a file, then one whose turn fails", async () => {
    await send(config.fixedPrompt);
    await chat.locator('.turn-end[data-status="completed"]').waitFor({ timeout: LONG });
    await chat.locator("#new").click();
    await chat.locator("#empty").waitFor({ state: "visible", timeout: LONG });
    await send(config.failedPrompt);
    await chat.locator("#transcript .turn-end.failed").waitFor({ state: "attached", timeout: LONG });
  });

  await step("the History rows show the first prompt line, the files and the failed mark", async () => {
    const header = history.locator(".pane-header");
    if ((await header.getAttribute("aria-expanded")) === "false") await header.click();
    const fixedRow = rows.filter({ has: page.locator(".label-description", { hasText: "1 file" }) }).first();
    const failedRow = rows.filter({ has: page.locator(".codicon-error") }).first();
    await waitFor("both rows with their fields", async () => {
      await header.hover();
      await header.locator('.action-label[aria-label="Refresh"]').click();
      return (await fixedRow.count()) > 0 && (await failedRow.count()) > 0;
    });
    report.historyRows = await rows.allInnerTexts();
    report.fixedTitle = await fixedRow.locator(".label-name").innerText();
    report.fixedDescription = await fixedRow.locator(".label-description").innerText();
    report.failedTitle = await failedRow.locator(".label-name").innerText();
    report.failedDescription = await failedRow.locator(".label-description").innerText();
    await failedRow.hover();
    const hover = page.locator(".monaco-hover, .workbench-hover").filter({ hasText: "Last turn failed" });
    report.failedTooltip = (await hover.first().innerText({ timeout: 10_000 }).catch(() => ""))
      .replace(/\u00a0/g, " ");
    await shot("02-history-rows");
  });

  await step("searching the History for a word of the first prompt finds the session", async () => {
    await history.locator(".pane-header").hover();
    await history.locator('.pane-header .action-label[aria-label="Search Sessions"]').click();
    const input = page.locator(".quick-input-widget input");
    await input.waitFor({ state: "visible" });
    await input.fill(config.promptWord);
    await page.keyboard.press("Enter");
    await waitFor("the search", async () => (await rows.count()) === 2); // folder + one session
    report.searchRows = await rows.allInnerTexts();
    await shot("03-history-search");
    await history.locator('.pane-header .action-label[aria-label="Clear Filter"]').click();
    await waitFor("the filter to clear", async () => (await rows.count()) === 3);
  });

  await step("the History view folds and unfolds beside the chat", async () => {
    const header = history.locator(".pane-header");
    await header.click();
    await waitFor("History folded", async () => (await header.getAttribute("aria-expanded")) === "false");
    report.historyFolded = true;
    await header.click();
    await waitFor("History unfolded", async () => (await header.getAttribute("aria-expanded")) === "true");
  });

  await step("Tether: Move Chat to Secondary Side Bar puts the chat on the right", async () => {
    await command("Tether: Move Chat to Secondary Side Bar");
    await page.locator(".part.auxiliarybar").waitFor({ state: "visible", timeout: LONG });
    const moved = await chatFrame();
    await moved.locator("#prompt").waitFor({ state: "visible", timeout: LONG });
    const frameBox = await (await moved.frameElement()).boundingBox();
    const barBox = await page.locator(".part.auxiliarybar").boundingBox();
    report.chatInSecondarySideBar =
      frameBox.x >= barBox.x - 2 && frameBox.x + frameBox.width <= barBox.x + barBox.width + 2;
    report.historyStillInSideBar = await page.locator(".part.sidebar .pane-header, .part.sidebar .composite.title",
      { hasText: "History" }).first().isVisible();
    await shot("04-chat-in-secondary-side-bar");
    await moved.locator("#prompt").fill("still works");
    report.chatUsableThere = (await moved.locator("#prompt").inputValue()) === "still works";
  });
}

await main();
