// tshark on the loopback interface: capture one TCP port, then read the capture back with
// libvirt's dissector (Debian's libvirt-wireshark) and the TCP payloads.
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { findTool } from "./libvirtd.js";

const run = promisify(execFile);

export interface Capture {
  stop(): Promise<void>;
}

/** Starts capturing `tcp port PORT` on lo into `file`; resolves once tshark captures. */
export async function startCapture(
  port: number,
  file: string,
  timeoutMs = 60_000,
): Promise<Capture> {
  const child = spawn(
    findTool("tshark") ?? "tshark",
    ["-i", "lo", "-f", `tcp port ${port}`, "-w", file, "-q"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  let err = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`tshark did not start: ${err}`)),
      timeoutMs,
    );
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
      if (err.includes("Capture started")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`tshark exited with ${code}: ${err}`));
    });
  });
  return {
    async stop() {
      // Let the last packets reach the file before stopping.
      await new Promise((r) => setTimeout(r, 500));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** `tshark -r FILE -d tcp.port==PORT,libvirt -T fields -e …` rows (tab-separated, all occurrences). */
export async function tsharkFields(
  file: string,
  port: number,
  fields: readonly string[],
): Promise<string[][]> {
  const { stdout } = await run(
    findTool("tshark") ?? "tshark",
    [
      "-r",
      file,
      "-d",
      `tcp.port==${port},libvirt`,
      "-T",
      "fields",
      "-E",
      "occurrence=a",
      "-E",
      "aggregator=|",
      ...fields.flatMap((f) => ["-e", f]),
    ],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  return stdout
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split("\t"));
}

export interface PdmlField {
  readonly name: string;
  /** What tshark displays: `procedure: AUTH_LIST (66)`. */
  readonly showname: string;
  /** The value: `66`, `0x20008086`. */
  readonly show: string;
}

/**
 * `tshark -r FILE -d tcp.port==PORT,DISSECTOR -T pdml`: per packet, the fields whose names
 * match `wanted`, in order.
 */
export async function tsharkPdml(
  file: string,
  port: number,
  wanted: RegExp,
  dissector = "libvirt",
): Promise<PdmlField[][]> {
  const { stdout } = await run(
    findTool("tshark") ?? "tshark",
    ["-r", file, "-d", `tcp.port==${port},${dissector}`, "-T", "pdml"],
    { maxBuffer: 1024 * 1024 * 1024 },
  );
  const attr = (tag: string, a: string) =>
    new RegExp(`\\s${a}="([^"]*)"`).exec(tag)?.[1] ?? "";
  return stdout
    .split("<packet>")
    .slice(1)
    .map((packet) =>
      [...packet.matchAll(/<field [^>]*>/g)]
        .map((m) => m[0])
        .filter((tag) => wanted.test(attr(tag, "name")))
        .map((tag) => ({
          name: attr(tag, "name"),
          showname: attr(tag, "showname"),
          show: attr(tag, "show"),
        })),
    );
}
