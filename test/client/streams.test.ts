// Write streams, read streams and sparse holes against libvirtd's real storage driver (the test
// driver has no volume upload/download): a transient `dir` pool in a temp dir, reached with
// `storage+unix:///session?socket=…`. libvirt's own client (virsh vol-upload/vol-download) checks
// every byte we send or receive.
import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import {
  chownSync,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VirtError, type VirtStream } from "virt-rpcgen/runtime";
import {
  RemoteClient,
  virStorageVolDownloadFlags,
  virStorageVolUploadFlags,
  type remote_nonnull_storage_pool,
  type remote_nonnull_storage_vol,
} from "../../generated/remote_protocol/index.js";
import { apiEnumValue, haveLibvirtApiXml } from "../support/libvirt-api.js";
import {
  findTool,
  haveDriverModule,
  requireOrSkip,
  startLibvirtd,
  virsh,
  type Libvirtd,
} from "../support/libvirtd.js";

const haveStorage = requireOrSkip(
  "libvirtd with the storage driver (libvirt-daemon) and virsh",
  findTool("libvirtd") !== null &&
    findTool("virsh") !== null &&
    haveDriverModule("storage") &&
    haveLibvirtApiXml(),
);

const MiB = 1024 * 1024;

async function readAll(stream: VirtStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function writeAll(
  stream: VirtStream,
  parts: (Buffer | { hole: number })[],
): Promise<void> {
  const finished = new Promise<void>((resolve, reject) => {
    stream.once("finish", resolve);
    stream.once("error", reject);
  });
  for (const p of parts) {
    if (Buffer.isBuffer(p)) stream.write(p);
    else stream.sendHole(p.hole);
  }
  stream.end();
  await finished;
}

describe.skipIf(!haveStorage)("streams against the storage driver", () => {
  let daemon: Libvirtd;
  let uri: string;
  let client: RemoteClient;
  let pool: remote_nonnull_storage_pool;
  let poolDir: string;
  const poolName = `rpcgen-streams-${process.pid}`;

  beforeAll(async () => {
    // Unprivileged (as nobody when we are root), so the storage driver keeps its state in the
    // daemon's temp dir: `storage:///session`.
    const nobody = {
      uid: Number(execFileSync("id", ["-u", "nobody"], { encoding: "utf8" })),
      gid: Number(execFileSync("id", ["-g", "nobody"], { encoding: "utf8" })),
    };
    daemon = await startLibvirtd({ drivers: ["storage"], runAs: nobody });
    uri = `storage+unix:///session?socket=${daemon.socket}`;
    poolDir = join(daemon.baseDir, "pool");
    mkdirSync(poolDir);
    if (process.getuid?.() === 0) chownSync(poolDir, nobody.uid, nobody.gid);
    client = await RemoteClient.connect(uri);
    pool = await client.storagePoolCreateXML(
      `<pool type='dir'><name>${poolName}</name><target><path>${poolDir}</path></target></pool>`,
    );
  });
  afterAll(async () => {
    if (pool) await client.storagePoolDestroy(pool).catch(() => undefined);
    await client?.close();
    await daemon?.stop();
  });

  const newVolume = async (
    name: string,
    bytes: number,
  ): Promise<remote_nonnull_storage_vol> =>
    client.storageVolCreateXML(
      pool,
      `<volume><name>${name}</name><capacity unit='bytes'>${bytes}</capacity><allocation>0</allocation><target><format type='raw'/></target></volume>`,
    );

  it("uploads through a write stream; virsh vol-download reads back the same bytes", async () => {
    const vol = await newVolume("upload.raw", 2 * MiB);
    const data = randomBytes(2 * MiB - 12345); // several packets of at most 256 KiB
    await writeAll(
      await client.storageVolUpload(vol, 0n, BigInt(data.length)),
      [data],
    );
    const file = join(daemon.baseDir, "upload.out");
    await virsh(uri, "vol-download", "--pool", poolName, "upload.raw", file);
    expect(readFileSync(file).subarray(0, data.length).equals(data)).toBe(true);
  });

  it("downloads through a read stream the bytes virsh vol-upload wrote", async () => {
    const vol = await newVolume("download.raw", MiB);
    const data = randomBytes(MiB);
    const file = join(daemon.baseDir, "download.in");
    writeFileSync(file, data);
    await virsh(uri, "vol-upload", "--pool", poolName, "download.raw", file);
    const got = await readAll(await client.storageVolDownload(vol, 0n, 0n));
    expect(got.length).toBe(data.length);
    expect(got.equals(data)).toBe(true);
  });

  it("sparse upload sends holes, sparse download receives them (as zeros and hole events)", async () => {
    const size = 4 * MiB;
    const vol = await newVolume("sparse.raw", size);
    const a = randomBytes(64 * 1024);
    const b = randomBytes(100 * 1024);
    const holeA = MiB - a.length;
    const holeB = size - MiB - b.length;
    await writeAll(
      await client.storageVolUpload(
        vol,
        0n,
        0n,
        virStorageVolUploadFlags.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM,
      ),
      [a, { hole: holeA }, b, { hole: holeB }],
    );
    const expected = Buffer.concat([
      a,
      Buffer.alloc(holeA),
      b,
      Buffer.alloc(holeB),
    ]);

    // libvirt's client reads the same content, and the file really is sparse on disk.
    const plain = join(daemon.baseDir, "sparse.plain");
    await virsh(uri, "vol-download", "--pool", poolName, "sparse.raw", plain);
    expect(readFileSync(plain).equals(expected)).toBe(true);
    const onDisk = statSync(join(poolDir, "sparse.raw"));
    expect(onDisk.size).toBe(size);
    expect(onDisk.blocks * 512).toBeLessThan(512 * 1024);

    const stream = await client.storageVolDownload(
      vol,
      0n,
      0n,
      virStorageVolDownloadFlags.VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM,
    );
    const holes: bigint[] = [];
    stream.on("hole", (n: bigint) => holes.push(n));
    const got = await readAll(stream);
    expect(got.equals(expected)).toBe(true);
    // Both holes are 4 KiB-aligned, so the file system reports them exactly.
    expect(holes).toEqual([BigInt(holeA), BigInt(holeB)]);

    // Without the sparse flag the same volume comes as plain data: no holes.
    const dense = await client.storageVolDownload(vol, 0n, 0n);
    const denseHoles: bigint[] = [];
    dense.on("hole", (n: bigint) => denseHoles.push(n));
    expect((await readAll(dense)).equals(expected)).toBe(true);
    expect(denseHoles).toEqual([]);
  });

  it("an aborted download frees the stream and leaves the connection usable", async () => {
    const vol = await newVolume("abort.raw", 8 * MiB);
    const stream = await client.storageVolDownload(vol, 0n, 0n);
    const first = await new Promise<Buffer>((resolve) =>
      stream.once("data", resolve),
    );
    expect(first.length).toBeGreaterThan(0);
    stream.destroy();
    const info = await client.storageVolGetInfo(vol);
    expect(info.capacity).toBe(BigInt(8 * MiB));
    // virsh sees the volume too: the daemon is fine.
    expect(await virsh(uri, "vol-list", "--pool", poolName)).toContain(
      "abort.raw",
    );
  });

  it("a stream error from the server fails the writer with VirtError", async () => {
    const vol = await newVolume("small.raw", 4096);
    // Writing past the length the upload announced: the daemon's stream fails mid-transfer.
    const stream = await client.storageVolUpload(vol, 0n, 100n);
    const failed = new Promise<unknown>((resolve) =>
      stream.once("error", resolve),
    );
    stream.write(randomBytes(4096));
    stream.end();
    const e = (await failed) as VirtError;
    expect(e).toBeInstanceOf(VirtError);
    // fdstream's ENOSPC once the announced length is reached (virFDStreamWrite).
    expect(e.code).toBe(apiEnumValue("VIR_ERR_SYSTEM_ERROR"));
    expect(e.message).toBe("cannot write to stream: No space left on device");
    const ok = await client.storageVolGetInfo(vol);
    expect(ok.capacity).toBe(4096n);
  });
});
