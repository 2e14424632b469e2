// The observe loop every tracer shares (src/runtime/trace/observe-loop.ts), through the
// library tracer, on keepalive frames written by hand from virnetprotocol.x and
// virkeepaliveprotocol.x: chunking does not change the lines, a lost frame boundary stops
// that direction only (one line says so, with the bytes), and the time given is the line's.
import { describe, expect, it } from "vitest";
import { createWireTracer } from "../../src/runtime/trace/tracer.js";
import { isoTime } from "../../src/runtime/trace/trace-line.js";

/** A keepalive frame: length 28, program "keep", version 1, procedure, type MESSAGE (2), serial 0, status OK. */
function keepalive(proc: number): Buffer {
  return Buffer.from(
    "0000001c" +
      "6b656570" +
      "00000001" +
      proc.toString(16).padStart(8, "0") +
      "00000002" +
      "00000000" +
      "00000000",
    "hex",
  );
}

function tracer() {
  const lines: Record<string, unknown>[] = [];
  const t = createWireTracer([], (l) =>
    lines.push(JSON.parse(l) as Record<string, unknown>),
  );
  return { t, lines };
}

describe("observe loop", () => {
  it("gives the same lines whatever the chunking", () => {
    const bytes = Buffer.concat([keepalive(1), keepalive(2)]);
    const whole = tracer();
    whole.t.observe("client->server", bytes, 0);
    expect(whole.lines.map((l) => l.procedure)).toEqual([
      "KEEPALIVE_PROC_PING",
      "KEEPALIVE_PROC_PONG",
    ]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const split = tracer();
      split.t.observe("client->server", bytes.subarray(0, cut), 0);
      split.t.observe("client->server", bytes.subarray(cut), 0);
      expect(split.lines).toEqual(whole.lines);
    }
  });

  it("stops one direction when its framing is lost, with one line saying so", () => {
    const { t, lines } = tracer();
    const bad = Buffer.from("ffffffff00000000", "hex");
    t.observe("client->server", bad, 0);
    t.observe("client->server", keepalive(1), 0);
    t.observe("server->client", keepalive(2), 0);
    expect(lines).toHaveLength(2);
    expect(lines[0]!.direction).toBe("client->server");
    expect(lines[0]!.error).toMatch(/; not decoding this direction any more$/);
    expect(lines[0]!.raw).toBe(bad.toString("hex"));
    expect(lines[1]!.procedure).toBe("KEEPALIVE_PROC_PONG");
  });

  it("stamps lines with the time given", () => {
    const { t, lines } = tracer();
    const when = Date.UTC(2026, 10, 30, 0, 42, 7, 9);
    t.observe("server->client", keepalive(1), when);
    expect(lines[0]!.time).toBe("2026-11-30T00:42:07.009Z");
    for (const ms of [0, 999, 1000, when, when + 990, -1, 253402300799999])
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });
});
