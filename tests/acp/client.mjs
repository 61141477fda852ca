// An ACP client built on the official TypeScript SDK (@agentclientprotocol/sdk), for the
// tests in tests/acp: it starts the agent command, plays an editor (buffers that differ
// from disk, a permission answer, a terminal) and runs a plan of steps, then prints one
// JSON report on stdout: each step's result or error, every session/update it received
// (in order, with the step it arrived during), and every request the agent made of it.
//
//   node client.mjs PLAN.json
//
// PLAN: {command: [argv...], env: {...}, buffers: {absPath: text},
//        permission: optionKind | "cancel",
//        steps: [{op: "initialize", fs: bool, terminal: bool} | {op: "new", cwd} |
//                {op: "load", cwd, sessionId} | {op: "list", cwd?} |
//                {op: "prompt", text?, blocks?, cancelOn?: sessionUpdateKind | "terminal"}]}
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Readable, Writable } from "node:stream";
import * as acp from "@agentclientprotocol/sdk";
// The SDK's own zod schemas of ACP v1 (it checks what it receives as requests and
// notifications with them); here they check the agent's responses too.
import * as zod from "./node_modules/@agentclientprotocol/sdk/dist/v1/schema/zod.gen.js";

const RESPONSE_SCHEMAS = {
  initialize: zod.zInitializeResponse,
  new: zod.zNewSessionResponse,
  load: zod.zLoadSessionResponse,
  list: zod.zListSessionsResponse,
  prompt: zod.zPromptResponse,
};

const plan = JSON.parse(readFileSync(process.argv[2], "utf8"));
const report = { steps: [], updates: [], reads: [], writes: [], permissions: [], terminals: [] };
const buffers = new Map(Object.entries(plan.buffers ?? {}));
const terminals = new Map();
let step = -1;
let sessionId = null;
let cancelOn = null;

const agentProcess = spawn(plan.command[0], plan.command.slice(1), {
  stdio: ["pipe", "pipe", "inherit"],
  env: { ...process.env, ...(plan.env ?? {}) },
});
const stream = acp.ndJsonStream(
  Writable.toWeb(agentProcess.stdin),
  Readable.toWeb(agentProcess.stdout),
);

function readDisk(path) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

function startTerminal(params) {
  const id = `term-${terminals.size + 1}`;
  const child = spawn(params.command, params.args ?? [], {
    detached: true, // its own process group, so kill stops what it started too
    cwd: params.cwd ?? undefined,
    env: { ...process.env, ...Object.fromEntries((params.env ?? []).map((e) => [e.name, e.value])) },
  });
  const term = { output: "", exit: null, child };
  term.exited = new Promise((resolve) => {
    child.on("close", (code, signal) => {
      term.exit = { exitCode: code, signal: signal ?? null };
      resolve(term.exit);
    });
  });
  term.ended = new Promise((resolve) => {
    child.on("exit", (code, signal) => resolve({ exitCode: code, signal: signal ?? null }));
  });
  child.stdout.on("data", (d) => (term.output += d));
  child.stderr.on("data", (d) => (term.output += d));
  terminals.set(id, term);
  report.terminals.push({ op: "create", terminalId: id, command: params.command, args: params.args });
  return id;
}

const app = acp
  .client({ name: "tether-acp-test-client" })
  .onNotification(acp.methods.client.session.update, async ({ params }) => {
    report.updates.push({ step, sessionId: params.sessionId, update: params.update });
    const hasTerminal = (params.update.content ?? []).some?.((c) => c.type === "terminal");
    const matches = params.update.sessionUpdate === cancelOn || (cancelOn === "terminal" && hasTerminal);
    if (cancelOn && matches && params.sessionId === sessionId) {
      cancelOn = null;
      report.steps[step].cancelSent = true;
      await currentContext.notify(acp.methods.agent.session.cancel, { sessionId });
    }
  })
  .onRequest(acp.methods.client.fs.readTextFile, async ({ params }) => {
    report.reads.push(params);
    const text = buffers.has(params.path) ? buffers.get(params.path) : readDisk(params.path);
    if (text === null) throw acp.RequestError.resourceNotFound(params.path);
    return { content: text };
  })
  .onRequest(acp.methods.client.fs.writeTextFile, async ({ params }) => {
    report.writes.push(params);
    buffers.set(params.path, params.content); // the editor's buffer, not the disk
    return {};
  })
  .onRequest(acp.methods.client.session.requestPermission, async ({ params }) => {
    report.permissions.push({ ...params, updatesBefore: report.updates.length });
    const wanted = plan.permission ?? "allow_once";
    if (wanted === "cancel") {
      // the user stops the turn while asked: cancel, then answer `cancelled` (as the spec says)
      await currentContext.notify(acp.methods.agent.session.cancel, { sessionId: params.sessionId });
      return { outcome: { outcome: "cancelled" } };
    }
    const option = params.options.find((o) => o.kind === wanted);
    if (!option) return { outcome: { outcome: "cancelled" } };
    return { outcome: { outcome: "selected", optionId: option.optionId } };
  })
  .onRequest(acp.methods.client.terminal.create, async ({ params }) => ({
    terminalId: startTerminal(params),
  }))
  .onRequest(acp.methods.client.terminal.output, async ({ params }) => {
    const term = terminals.get(params.terminalId);
    report.terminals.push({ op: "output", terminalId: params.terminalId });
    return { output: term.output, truncated: false, exitStatus: term.exit };
  })
  .onRequest(acp.methods.client.terminal.waitForExit, async ({ params }) => {
    report.terminals.push({ op: "wait_for_exit", terminalId: params.terminalId });
    return await terminals.get(params.terminalId).exited;
  })
  .onRequest(acp.methods.client.terminal.kill, async ({ params }) => {
    report.terminals.push({ op: "kill", terminalId: params.terminalId });
    process.kill(-terminals.get(params.terminalId).child.pid, "SIGKILL");
    return {};
  })
  .onRequest(acp.methods.client.terminal.release, async ({ params }) => {
    report.terminals.push({ op: "release", terminalId: params.terminalId });
    const term = terminals.get(params.terminalId);
    if (term.exit === null) {
      try { process.kill(-term.child.pid, "SIGKILL"); } catch { /* already gone */ }
    }
    return {};
  });

let currentContext = null;

async function run(ctx, s) {
  const m = acp.methods.agent;
  switch (s.op) {
    case "initialize":
      return ctx.request(m.initialize, {
        protocolVersion: acp.PROTOCOL_VERSION,
        clientCapabilities: {
          fs: { readTextFile: !!s.fs, writeTextFile: !!s.fs },
          terminal: !!s.terminal,
        },
        clientInfo: { name: "tether-acp-test-client", version: "1.0.0" },
      });
    case "new": {
      const r = await ctx.request(m.session.new, { cwd: s.cwd, mcpServers: s.mcpServers ?? [] });
      sessionId = r.sessionId;
      return r;
    }
    case "load": {
      const r = await ctx.request(m.session.load, {
        cwd: s.cwd, sessionId: s.sessionId, mcpServers: [],
      });
      sessionId = s.sessionId;
      return r;
    }
    case "list":
      return ctx.request(m.session.list, s.cwd ? { cwd: s.cwd } : {});
    case "prompt":
      cancelOn = s.cancelOn ?? null;
      return ctx.request(m.session.prompt, {
        sessionId: s.sessionId ?? sessionId,
        prompt: s.blocks ?? [{ type: "text", text: s.text }],
      });
    default:
      throw new Error(`unknown step ${s.op}`);
  }
}

let exitCode = 0;
try {
  await app.connectWith(stream, async (ctx) => {
    currentContext = ctx;
    for (const s of plan.steps) {
      step += 1;
      report.steps.push({ op: s.op });
      try {
        const result = (await run(ctx, s)) ?? null;
        report.steps[step].result = result;
        const checked = RESPONSE_SCHEMAS[s.op].safeParse(result ?? {});
        if (!checked.success) report.steps[step].invalid = String(checked.error);
      } catch (error) {
        report.steps[step].error = { message: String(error?.message ?? error), code: error?.code ?? null, data: error?.data ?? null };
      }
    }
  });
} catch (error) {
  report.fatal = String(error?.stack ?? error);
  exitCode = 1;
} finally {
  agentProcess.stdin.end();
}
const closed = await new Promise((resolve) => {
  if (agentProcess.exitCode !== null || agentProcess.signalCode !== null) {
    resolve({ code: agentProcess.exitCode, signal: agentProcess.signalCode });
    return;
  }
  const timer = setTimeout(() => { agentProcess.kill("SIGKILL"); resolve("killed"); }, 15000);
  agentProcess.on("exit", (code, signal) => { clearTimeout(timer); resolve({ code, signal }); });
});
report.agentExit = closed;
// how each terminal's process ended (a killed one still holds its pipes through orphans,
// so this is the process's exit, not the pipes' close)
const bounded = (p) => Promise.race([p, new Promise((r) => setTimeout(() => r("running"), 15000))]);
report.terminalExits = Object.fromEntries(
  await Promise.all([...terminals].map(async ([id, t]) => [id, await bounded(t.ended)])));
process.stdout.write(JSON.stringify(report) + "\n");
process.exit(exitCode);
