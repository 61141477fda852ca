/**
 * Owns the Tether server process and its language client: start, stop, restart after a
 * crash with backoff, and a clear message with the fix when the server cannot start.
 *
 * API keys come from SecretStorage and reach the server only through its process
 * environment, never through settings or the protocol.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import * as vscode from "vscode";
import {
  CloseAction,
  ErrorAction,
  type ErrorHandler,
  LanguageClient,
  type LanguageClientOptions,
  type StaticFeature,
  State,
} from "vscode-languageclient/node";

import { Backoff } from "./backoff";
import {
  CommandLineError,
  DEFAULT_COMMAND,
  findExecutable,
  isModuleMissing,
  missingServerMessage,
  splitCommandLine,
} from "./command";
import {
  openRemote,
  parseRemoteAddress,
  type RemoteAddress,
  remoteInitializationOptions,
  type Transports,
} from "./remote";
import { serverSettings } from "./settings";

export type ServerState = "starting" | "running" | "restarting" | "stopped" | "failed";

/** Declares `experimental.tether.permissions` so the server asks us, not showMessageRequest. */
class TetherCapabilityFeature implements StaticFeature {
  fillClientCapabilities(capabilities: { experimental?: unknown }): void {
    const experimental = (capabilities.experimental ?? {}) as Record<string, unknown>;
    experimental.tether = { permissions: true };
    capabilities.experimental = experimental;
  }
  initialize(): void {}
  getState() {
    return { kind: "static" } as const;
  }
  clear(): void {}
}

export interface SecretEnv {
  /** Environment variables carrying API keys for the server process. */
  env(): Promise<Record<string, string>>;
}

export interface TokenSource {
  /** The remote server's token, when one is stored. */
  get(): Promise<string | undefined>;
}

export class ServerSupervisor implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private child: ChildProcess | undefined;
  private readonly backoff = new Backoff();
  private state: ServerState = "stopped";
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  private readonly clientEmitter = new vscode.EventEmitter<LanguageClient>();
  private stopping = false;
  private notifiedMissing = false;

  /** Fires with every state change. */
  readonly onDidChangeState = this.stateEmitter.event;
  /** Fires with a new client before it starts: register request/notification handlers. */
  readonly onDidCreateClient = this.clientEmitter.event;

  constructor(
    private readonly output: vscode.OutputChannel,
    private readonly secrets: SecretEnv,
    private readonly remoteToken?: TokenSource,
  ) {}

  get current(): LanguageClient | undefined {
    return this.client?.state === State.Running ? this.client : undefined;
  }

  get serverState(): ServerState {
    return this.state;
  }

  /** The running client, waiting for a start in progress; throws when there is none. */
  async ready(): Promise<LanguageClient> {
    const running = this.current;
    if (running) return running;
    if (this.state === "starting" || this.state === "restarting") {
      await new Promise<void>((resolve) => {
        const sub = this.onDidChangeState((s) => {
          if (s !== "starting" && s !== "restarting") {
            sub.dispose();
            resolve();
          }
        });
      });
      const started = this.current;
      if (started) return started;
    }
    throw new Error("The Tether server is not running. Run “Tether: Restart Server”.");
  }

  async start(): Promise<void> {
    if (this.client) return;
    this.stopping = false;
    this.notifiedMissing = false;
    this.setState("starting");
    const remote = this.remoteAddress();
    if (remote instanceof Error) {
      void this.offerSettings(remote.message, "tether.server.remote");
      return;
    }
    // Check the command first: a missing program gets our message, not a connection error.
    const problem = remote ? null : await this.commandProblem();
    if (problem) {
      void this.offerSettings(problem);
      return;
    }
    const token = remote ? await this.remoteToken?.get() : undefined;
    if (remote && !token) {
      void this.offerToken(`Tether: ${remote.label} needs the server's token.`);
      return;
    }
    const client = this.createClient(remote ? { address: remote, token } : undefined);
    this.client = client;
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) {
        this.backoff.started(Date.now());
        this.setState("running");
      } else if (e.newState === State.Stopped && !this.stopping) {
        if (this.state !== "restarting") this.setState("failed");
      }
    });
    this.clientEmitter.fire(client);
    try {
      await client.start();
    } catch (err) {
      this.output.appendLine(`[tether] server start failed: ${errorText(err)}`);
      this.setState("failed");
      if (remote && /token|401|Unauthorized/i.test(errorText(err))) {
        void this.offerToken(`Tether: ${remote.label} refused the token: ${errorText(err)}`);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        if (client.needsStop()) await client.stop(4000);
      } catch (err) {
        this.output.appendLine(`[tether] stop: ${errorText(err)}`);
      }
      await client.dispose().catch(() => undefined);
    }
    this.killChild();
    this.setState("stopped");
  }

  /** Manual restart: also picks up a new server command or API key. */
  async restart(): Promise<void> {
    this.backoff.reset();
    await this.stop();
    await this.start();
  }

  dispose(): void {
    void this.stop();
    this.stateEmitter.dispose();
    this.clientEmitter.dispose();
  }

  private setState(state: ServerState): void {
    if (this.state === state) return;
    this.state = state;
    this.output.appendLine(`[tether] server ${state}`);
    this.stateEmitter.fire(state);
  }

  /** The remote server's address, undefined for a local server, an Error when malformed. */
  private remoteAddress(): RemoteAddress | Error | undefined {
    const value = vscode.workspace.getConfiguration("tether").get<string>("server.remote")?.trim();
    if (!value) return undefined;
    try {
      return parseRemoteAddress(value);
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  private async connectRemote(address: RemoteAddress, token: string | undefined): Promise<Transports> {
    this.output.appendLine(`[tether] connecting to ${address.label}`);
    return openRemote(address, token);
  }

  private createClient(remote?: { address: RemoteAddress; token: string | undefined }): LanguageClient {
    const errorHandler: ErrorHandler = {
      error: (_error, _message, count) => ({
        action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown,
      }),
      closed: async () => {
        if (this.stopping) return { action: CloseAction.DoNotRestart, handled: true };
        const delay = this.backoff.crashed(Date.now());
        if (delay === null) {
          void this.offerRestart(
            `The Tether server stopped ${this.backoff.crashCount} times in a row and will not be restarted automatically.`,
          );
          this.setState("failed");
          return { action: CloseAction.DoNotRestart, handled: true };
        }
        this.setState("restarting");
        this.output.appendLine(`[tether] server exited; restarting in ${delay / 1000}s`);
        await new Promise((resolve) => setTimeout(resolve, delay));
        // A stop or manual restart during the wait owns the server now.
        if (this.stopping || this.client !== client) {
          return { action: CloseAction.DoNotRestart, handled: true };
        }
        return { action: CloseAction.Restart, handled: true };
      },
    };
    const options: LanguageClientOptions = {
      // Every file and untitled buffer: the agent reads live text of whatever is open.
      documentSelector: [{ scheme: "file" }, { scheme: "untitled" }],
      outputChannel: this.output,
      errorHandler,
      initializationOptions: remote
        ? remoteInitializationOptions(remote.address, remote.token)
        : undefined,
      synchronize: { configurationSection: "tether" },
      middleware: {
        workspace: {
          configuration: (params, token, next) => {
            const items = params.items;
            if (items.every((i) => i.section === "tether")) {
              return items.map((item) => {
                const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
                const config = vscode.workspace.getConfiguration("tether", scope);
                return serverSettings((key) => config.inspect(key));
              });
            }
            return next(params, token);
          },
        },
      },
    };
    const client: LanguageClient = new LanguageClient(
      "tether",
      "Tether",
      remote
        ? () => this.connectRemote(remote.address, remote.token)
        : () => this.spawnServer(),
      options,
    );
    client.registerFeature(new TetherCapabilityFeature());
    return client;
  }

  private commandLine(): string {
    return vscode.workspace.getConfiguration("tether").get<string>("server.command") || DEFAULT_COMMAND;
  }

  /** Why the configured command cannot run (with the fix), or null when it looks fine. */
  private async commandProblem(): Promise<string | null> {
    const commandLine = this.commandLine();
    let argv: string[];
    try {
      argv = splitCommandLine(commandLine);
    } catch (err) {
      return missingServerMessage(commandLine, errorText(err));
    }
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
    const env = { ...process.env, ...(await this.secrets.env()) };
    const exe = findExecutable(argv[0], env.PATH, cwd);
    if (!exe) {
      return missingServerMessage(commandLine, `\`${argv[0]}\` was not found`);
    }
    // The usual mistake: a Python without Tether. Ask it before speaking LSP to it.
    if (argv[1] === "-m" && argv[2] === "tether") {
      const stderr = await importCheck(exe, cwd, env);
      if (stderr !== null && isModuleMissing(stderr)) {
        return missingServerMessage(commandLine, `\`${argv[0]}\` has no \`tether\` module`);
      }
    }
    return null;
  }

  private async spawnServer(): Promise<ChildProcess> {
    const commandLine = this.commandLine();
    let argv: string[];
    try {
      argv = splitCommandLine(commandLine);
    } catch (err) {
      const message = missingServerMessage(commandLine, errorText(err));
      void this.offerSettings(message);
      throw err instanceof CommandLineError ? err : new Error(message);
    }
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
    const env = { ...process.env, ...(await this.secrets.env()) };
    const exe = findExecutable(argv[0], env.PATH, cwd);
    if (!exe) {
      const message = missingServerMessage(commandLine, `\`${argv[0]}\` was not found`);
      void this.offerSettings(message);
      // Nothing to restart into: stop the backoff loop at once.
      this.stopping = true;
      throw new Error(message);
    }
    this.output.appendLine(`[tether] starting: ${[exe, ...argv.slice(1)].join(" ")}`);
    const child = spawn(exe, argv.slice(1), { cwd, env, stdio: "pipe" });
    this.child = child;
    child.stderr?.on("data", (data: Buffer) => {
      const text = data.toString("utf8");
      if (isModuleMissing(text) && !this.notifiedMissing) {
        this.notifiedMissing = true;
        this.stopping = true;
        void this.offerSettings(
          missingServerMessage(commandLine, `\`${argv[0]}\` has no \`tether\` module`),
        );
      }
    });
    child.on("exit", (code, signal) => {
      this.output.appendLine(`[tether] server process exited (code ${code}, signal ${signal})`);
      if (this.child === child) this.child = undefined;
    });
    return child;
  }

  private killChild(): void {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && !child.killed) child.kill();
  }

  private async offerToken(message: string): Promise<void> {
    this.output.appendLine(`[tether] ${message}`);
    this.setState("failed");
    const choice = await vscode.window.showErrorMessage(message, "Set Remote Token", "Show Log");
    if (choice === "Set Remote Token") {
      await vscode.commands.executeCommand("tether.setRemoteToken");
    } else if (choice === "Show Log") {
      this.output.show();
    }
  }

  private async offerSettings(message: string, setting = "tether.server.command"): Promise<void> {
    this.output.appendLine(`[tether] ${message}`);
    this.setState("failed");
    const choice = await vscode.window.showErrorMessage(message, "Open Settings", "Show Log");
    if (choice === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", setting);
    } else if (choice === "Show Log") {
      this.output.show();
    }
  }

  private async offerRestart(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, "Restart", "Show Log");
    if (choice === "Restart") await this.restart();
    else if (choice === "Show Log") this.output.show();
  }
}

/** stderr of `python -c "import tether"` when it fails, null when it works or cannot tell. */
function importCheck(exe: string, cwd: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(exe, ["-c", "import tether"], { cwd, env, timeout: 15_000 }, (err, _out, stderr) => {
      resolve(err ? String(stderr) : null);
    });
  });
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === "object" && err !== null && "message" in err) {
    return String((err as { message: unknown }).message);
  }
  return String(err);
}
