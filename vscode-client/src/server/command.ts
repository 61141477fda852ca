/**
 * The server command line: split the `tether.server.command` setting and find the
 * executable, so a missing Python or Tether install gets a message with the fix instead
 * of a bare ENOENT. Pure Node, no VS Code imports.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const DEFAULT_COMMAND = "python3 -m tether serve";

export class CommandLineError extends Error {}

/** Split like a POSIX shell would for plain words, '...' and "..." (no expansions). */
export function splitCommandLine(line: string): string[] {
  const args: string[] = [];
  let current = "";
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === "\\" && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === "\\" && i + 1 < line.length) {
      current += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) args.push(current);
      current = "";
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote) throw new CommandLineError(`unbalanced ${quote} in the server command`);
  if (inWord) args.push(current);
  if (args.length === 0) throw new CommandLineError("the server command is empty");
  return args;
}

/** `~/venv/bin/python` → the home directory's venv, as a shell would expand it. */
export function expandHome(arg: string, home: string = os.homedir()): string {
  if (arg === "~") return home;
  return arg.startsWith("~/") ? path.join(home, arg.slice(2)) : arg;
}

/** Absolute path of `program` (a path, or a name looked up on PATH); null when absent. */
export function findExecutable(
  program: string,
  envPath: string | undefined = process.env.PATH,
  cwd: string = process.cwd(),
): string | null {
  if (program.includes("/") || program.includes(path.sep)) {
    const full = path.resolve(cwd, expandHome(program));
    return isExecutable(full) ? full : null;
  }
  for (const dir of (envPath ?? "").split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of process.platform === "win32" ? ["", ".exe", ".cmd"] : [""]) {
      const candidate = path.join(dir, program + ext);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

function isExecutable(file: string): boolean {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return false;
    if (process.platform === "win32") return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The user-facing explanation of a server that cannot start, with what to do. */
export function missingServerMessage(commandLine: string, detail: string): string {
  return (
    `Tether could not start its server: ${detail} (command \`${commandLine}\`). ` +
    "Install it with `pip install tether` into a Python 3.11+ environment, or set " +
    "`tether.server.command` to that environment's Python, e.g. " +
    "`/path/to/venv/bin/python -m tether serve`."
  );
}

/** Recognise a stderr line saying the Python module is not installed. */
export function isModuleMissing(stderr: string): boolean {
  return /No module named '?tether'?/.test(stderr);
}
