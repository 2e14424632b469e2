// The client when things go wrong, against a real libvirtd that we stop (SIGSTOP), resume or
// kill: pending calls fail promptly and clearly, aborts and timeouts free their calls, and
// keepalive keeps a live connection up and drops a dead one.
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
} from "vitest";
import {
  CallTimeoutError,
  ConnectionClosedError,
  DEFAULT_KEEPALIVE,
} from "virt-rpcgen/runtime";
import {
  RemoteClient,
  type remote_nonnull_domain,
} from "../../generated/remote_protocol/index.js";
import {
  requireTools,
  startLibvirtd,
  type Libvirtd,
} from "../support/libvirtd.js";

const haveLibvirtd = requireTools("libvirtd");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Tracks whether a promise settled, without ever leaving a rejection unhandled. */
function track<T>(p: Promise<T>) {
  const t = {
    settled: false,
    at: 0,
    value: undefined as T | undefined,
    error: undefined as unknown,
  };
  const done = p.then(
    (v) => Object.assign(t, { settled: true, at: performance.now(), value: v }),
    (e: unknown) =>
      Object.assign(t, { settled: true, at: performance.now(), error: e }),
  );
  return Object.assign(t, { done });
}

describe.skipIf(!haveLibvirtd)("failures against libvirtd", () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  beforeEach(() => {
    unhandled.length = 0;
    process.on("unhandledRejection", onUnhandled);
  });
  afterEach(() => {
    process.off("unhandledRejection", onUnhandled);
  });

  describe("a daemon we stop and resume", () => {
    let daemon: Libvirtd;
    let remote: RemoteClient;
    let test: remote_nonnull_domain;
    beforeAll(async () => {
      // Short server keepalive: libvirtd pings us every second and drops us after 2 s of silence.
      daemon = await startLibvirtd({
        extraConfig: "keepalive_interval = 1\nkeepalive_count = 1",
      });
      remote = await RemoteClient.connect(daemon.uri);
      test = await remote.domainLookupByName("test");
    });
    afterAll(async () => {
      if (daemon) process.kill(daemon.pid, "SIGCONT");
      await remote?.close();
      await daemon?.stop();
    });

    it("abort and timeout free their calls; late replies are dropped and the connection goes on", async () => {
      process.kill(daemon.pid, "SIGSTOP");
      try {
        const late = remote.connection.stats.lateReplies;
        const ac = new AbortController();
        const aborted = track(
          remote.domainGetInfo(test, { signal: ac.signal }),
        );
        const timed = track(remote.connectGetHostname({ timeoutMs: 150 }));
        const waiting = track(remote.connectGetVersion());
        await sleep(50);
        expect(remote.connection.pendingCalls).toBe(3);
        ac.abort();
        await aborted.done;
        expect((aborted.error as Error).name).toBe("AbortError");
        await timed.done;
        expect(timed.error).toBeInstanceOf(CallTimeoutError);
        expect((timed.error as Error).message).toMatch(
          /^remote procedure 59 got no reply from .* within 150 ms$/,
        );
        expect(remote.connection.pendingCalls).toBe(1);
        expect(waiting.settled).toBe(false);

        // An already-aborted signal sends nothing at all.
        const sent = remote.connection.stats.callsSent;
        await expect(
          remote.connectGetVersion({ signal: AbortSignal.abort() }),
        ).rejects.toMatchObject({ name: "AbortError" });
        expect(remote.connection.stats.callsSent).toBe(sent);

        process.kill(daemon.pid, "SIGCONT");
        await waiting.done;
        expect(waiting.value).toBe(await remote.connectGetVersion());
        await expect
          .poll(() => remote.connection.stats.lateReplies, { timeout: 2000 })
          .toBe(late + 2);
        expect((await remote.domainGetInfo(test)).state).toBe(1);
      } finally {
        process.kill(daemon.pid, "SIGCONT");
      }
      expect(unhandled).toEqual([]);
    });

    it("answers libvirtd's keepalive PINGs, so an idle connection stays open", async () => {
      // keepalive: false = never tell libvirtd we speak keepalive, so it never pings that one.
      const quiet = await RemoteClient.connect(daemon.uri, {
        keepalive: false,
      });
      try {
        const before = remote.connection.keepaliveStats.pingsReceived;
        await sleep(2500); // longer than libvirtd's interval × (count + 1)
        const ka = remote.connection.keepaliveStats;
        expect(ka.pingsReceived).toBeGreaterThan(before);
        expect(ka.pongsSent).toBe(ka.pingsReceived);
        expect(remote.connection.closed).toBe(false);
        expect((await remote.domainGetInfo(test)).state).toBe(1);
        expect(quiet.connection.keepaliveStats.pingsReceived).toBe(0);
        expect(await quiet.connectGetVersion()).toBeGreaterThan(0n);
      } finally {
        await quiet.close();
      }
    });

    it("keepalive is on by default as in libvirt's client (5 s, 5), overridable, or off", async () => {
      expect(remote.connection.keepaliveOptions).toEqual({
        intervalMs: 5000,
        count: 5,
      });
      expect(remote.connection.keepaliveOptions).toEqual(DEFAULT_KEEPALIVE);
      const off = await RemoteClient.connect(daemon.uri, { keepalive: false });
      const custom = await RemoteClient.connect(daemon.uri, {
        keepalive: { intervalMs: 1000, count: 3 },
      });
      try {
        expect(off.connection.keepaliveOptions).toBeNull();
        expect(custom.connection.keepaliveOptions).toEqual({
          intervalMs: 1000,
          count: 3,
        });
      } finally {
        await off.close();
        await custom.close();
      }
    });

    it("with keepalive on, pings an idle daemon, and drops it once it stops answering", async () => {
      const pinger = await RemoteClient.connect(daemon.uri, {
        keepalive: { intervalMs: 100, count: 2 },
      });
      try {
        await sleep(350);
        expect(pinger.connection.keepaliveStats.pingsSent).toBeGreaterThan(0);
        expect(pinger.connection.keepaliveStats.pongsReceived).toBeGreaterThan(
          0,
        );
        expect(pinger.connection.closed).toBe(false);

        process.kill(daemon.pid, "SIGSTOP");
        const t0 = performance.now();
        const pending = track(pinger.connectGetVersion());
        const reason = await pinger.connection.whenClosed;
        const took = performance.now() - t0;
        expect(reason).toBeInstanceOf(ConnectionClosedError);
        expect(reason.message).toMatch(
          /connection closed due to keepalive timeout/,
        );
        // 2 pings 100 ms apart, then one more interval of silence; generous slack for CI.
        expect(took).toBeGreaterThan(200);
        expect(took).toBeLessThan(2000);
        await pending.done;
        expect(pending.error).toBe(reason);
      } finally {
        process.kill(daemon.pid, "SIGCONT");
        await pinger.close();
      }
      expect(unhandled).toEqual([]);
    });
  });

  it("killing libvirtd mid-call rejects every pending call at once, and later calls too", async () => {
    const daemon = await startLibvirtd();
    try {
      const remote = await RemoteClient.connect(daemon.uri);
      const test = await remote.domainLookupByName("test");
      // Stopped first, so the calls are surely in flight when it dies.
      process.kill(daemon.pid, "SIGSTOP");
      const calls = Array.from({ length: 50 }, (_, i) =>
        track<unknown>(
          i % 2
            ? remote.domainGetInfo(test)
            : remote.domainScreenshot(test, 0).then((r) => r.result),
        ),
      );
      await sleep(100);
      expect(calls.every((c) => !c.settled)).toBe(true);
      expect(remote.connection.pendingCalls).toBe(50);

      const t0 = performance.now();
      process.kill(daemon.pid, "SIGKILL");
      await Promise.all(calls.map((c) => c.done));
      const slowest = Math.max(...calls.map((c) => c.at - t0));
      expect(slowest).toBeLessThan(1000);
      const reason = await remote.connection.whenClosed;
      // EOF, or ECONNRESET when the daemon died with our calls unread in its socket.
      expect(reason.message).toMatch(
        new RegExp(
          `^connection to ${daemon.uri.replace(/[?+]/g, "\\$&")} (closed by the peer|lost: read ECONNRESET) \\(50 calls pending\\)$`,
        ),
      );
      for (const c of calls) expect(c.error).toBe(reason);
      expect(remote.connection.pendingCalls).toBe(0);

      await expect(remote.connectGetVersion()).rejects.toBe(reason);
      await remote.close(); // harmless on a dead connection
    } finally {
      await daemon.stop();
    }
    expect(unhandled).toEqual([]);
  });
});
