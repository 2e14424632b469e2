/**
 * A child process as a connection's stream (virNetSocketNewConnectCommand): we write to its
 * stdin and read its stdout. Used by `+ssh` (the system `ssh`) and `+ext` (`command=`).
 *
 * As libvirt, the child gets a cleaned environment (`LC_ALL=C` plus PATH, HOME, USER, LOGNAME,
 * TMPDIR, LD_PRELOAD, LD_LIBRARY_PATH and what the caller adds), and what it prints on stderr
 * becomes the error when it exits: `ssh` saying "Permission denied (publickey)" is then what
 * the user reads, not "end of file".
 */
import { spawn, type ChildProcess } from "node:child_process";
import { Duplex } from "node:stream";
import { whenConnected, type ConnectingOptions } from "./connecting.js";

/** `+ext`: run `command` (a path, no arguments, as libvirt) and talk over its stdin/stdout. */
export interface ExtTarget {
  readonly transport: "ext";
  readonly command: string;
}

/** virCommandAddEnvPassCommon. */
const COMMON_ENV = [
  "LD_PRELOAD",
  "LD_LIBRARY_PATH",
  "DYLD_INSERT_LIBRARIES",
  "DYLD_FORCE_FLAT_NAMESPACE",
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "TMPDIR",
];
const STDERR_KEPT = 4096;
/** How long to wait for the exit status once stdout ended, before reporting plain EOF. */
const EXIT_GRACE_MS = 2000;

/** The environment libvirt gives a child: LC_ALL=C and the named variables that are set. */
export function childEnvironment(pass: readonly string[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { LC_ALL: "C" };
  for (const name of [...COMMON_ENV, ...pass]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

export class CommandStream extends Duplex {
  readonly child: ChildProcess;
  private stderr = "";

  constructor(
    /** The program and its arguments. */
    readonly argv: readonly string[],
    env: NodeJS.ProcessEnv,
  ) {
    super({ allowHalfOpen: false });
    const [file, ...args] = argv;
    this.child = spawn(file!, args, {
      stdio: ["pipe", "pipe", "pipe"],
      env,
    });
    const { stdin, stdout, stderr } = this.child;
    this.child.once("spawn", () => this.emit("spawn"));
    this.child.once("error", (e) =>
      this.destroy(new Error(`cannot run ${file}: ${e.message}`, { cause: e })),
    );
    stderr!.setEncoding("utf8");
    stderr!.on("data", (text: string) => {
      this.stderr = (this.stderr + text).slice(-STDERR_KEPT);
    });
    stdout!.on("data", (chunk: Buffer) => {
      if (!this.push(chunk)) stdout!.pause();
    });
    stdout!.once("end", () => void this.stdoutEnded());
    stdin!.on("error", (e) => void this.failAfterExit(e));
  }

  /** What the child printed on stderr (the last 4 KiB). */
  get errorOutput(): string {
    return this.stderr;
  }

  /** How the child ended, once Node has reaped it (null before). */
  private get exit(): { code: number | null; signal: string | null } | null {
    const { exitCode, signalCode } = this.child;
    return exitCode !== null || signalCode !== null
      ? { code: exitCode, signal: signalCode }
      : null;
  }

  private describeExit(fallback: string): string {
    const name = this.argv[0];
    const exit = this.exit;
    const status = exit
      ? exit.signal
        ? `killed by ${exit.signal}`
        : `exited with status ${exit.code}`
      : fallback;
    const said = this.stderr.trim();
    return `${name} ${status}${said ? `: ${said}` : ""}`;
  }

  /**
   * Resolves once the child exited and all it wrote on stderr was read (or after a grace).
   * Both, in either order: a child's pipes usually close before Node has reaped it (the exit
   * status comes with SIGCHLD, a turn or more later), and resolving on stderr alone reported
   * "closed its output" for a command that exited with a status.
   */
  private exited(): Promise<void> {
    const stderr = this.child.stderr!;
    const done = () =>
      this.exit !== null && (stderr.readableEnded || stderr.destroyed);
    if (done()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(resolve, EXIT_GRACE_MS);
      this.child.once("exit", () => setImmediate(check));
      stderr.once("end", check);
      stderr.once("close", check);
    });
  }

  /** A write failed (EPIPE: the child is gone): report why it went, not the EPIPE. */
  private async failAfterExit(e: Error): Promise<void> {
    await this.exited();
    this.destroy(new Error(this.describeExit(e.message), { cause: e }));
  }

  private async stdoutEnded(): Promise<void> {
    await this.exited();
    const exit = this.exit;
    const failed = exit !== null && (exit.code !== 0 || exit.signal !== null);
    if (failed || this.stderr.trim())
      this.destroy(new Error(this.describeExit("closed its output")));
    else this.push(null);
  }

  override _read(): void {
    this.child.stdout?.resume();
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    done: (e?: Error | null) => void,
  ): void {
    // `done` only once the pipe took the bytes: until then the caller must not reuse them.
    // A failed write ends the stream with the child's own account (failAfterExit).
    this.child.stdin!.write(chunk, (e) => {
      if (!e) done();
    });
  }

  override _final(done: (e?: Error | null) => void): void {
    this.child.stdin!.end(() => done());
  }

  override _destroy(err: Error | null, done: (e?: Error | null) => void): void {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      // virProcessAbort: SIGTERM, then SIGKILL if it lingers.
      this.child.kill("SIGTERM");
      const kill = setTimeout(() => this.child.kill("SIGKILL"), 2000);
      kill.unref();
      this.child.once("exit", () => clearTimeout(kill));
    }
    this.child.stdin?.destroy();
    this.child.stdout?.destroy();
    done(err);
  }
}

/** Starts `argv` and resolves with its stream once the process runs. */
export async function openCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  where: string,
  options: ConnectingOptions,
): Promise<CommandStream> {
  if (options.signal?.aborted) throw options.signal.reason;
  const stream = new CommandStream(argv, env);
  await whenConnected(stream, "spawn", where, options);
  return stream;
}

/** `+ext`: virNetSocketNewConnectExternal. */
export function openExt(
  target: ExtTarget,
  options: ConnectingOptions = {},
): Promise<CommandStream> {
  return openCommand(
    [target.command],
    childEnvironment([]),
    `ext:${target.command}`,
    options,
  );
}
