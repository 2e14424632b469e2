/** Socket addresses on the command line: `unix:PATH`, a path, `tcp:HOST:PORT`, `HOST:PORT`, `PORT`. */
import { UsageError } from "../cli/options.js";

export type SocketAddress =
  { readonly path: string } | { readonly host: string; readonly port: number };

export function parseAddress(text: string, option: string): SocketAddress {
  if (text.startsWith("unix:")) return { path: text.slice(5) };
  const tcp = text.startsWith("tcp:") ? text.slice(4) : text;
  const m = /^(?:\[([^\]]+)\]|([^:/]*)):(\d+)$|^(\d+)$/.exec(tcp);
  if (m) {
    const port = Number(m[3] ?? m[4]);
    if (port > 65535)
      throw new UsageError(`${option}: port ${port} is out of range`);
    return { host: m[1] ?? (m[2] || "127.0.0.1"), port };
  }
  if (text.startsWith("tcp:"))
    throw new UsageError(`${option}: expected tcp:HOST:PORT, got '${text}'`);
  return { path: text };
}

export function describeAddress(a: SocketAddress): string {
  if ("path" in a) return `unix:${a.path}`;
  return `tcp:${a.host.includes(":") ? `[${a.host}]` : a.host}:${a.port}`;
}
