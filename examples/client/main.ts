/**
 * Example client: the generated remote_protocol client against a real libvirtd.
 *
 *   npm run example:client -- 'test+unix:///default?socket=/tmp/x/libvirt-sock'
 *
 * Prints the hypervisor version, every domain with its state and memory, and what
 * `domainMigrateStartPostCopy` on the first domain answers. Exits 1 when it cannot connect.
 */
import { VirtError } from "virt-rpcgen-runtime";
import { RemoteClient } from "../../generated/remote_protocol/index.js";

/** `virDomainState` names (libvirt-domain.h). */
const STATES = [
  "no state",
  "running",
  "blocked",
  "paused",
  "shutdown",
  "shut off",
  "crashed",
  "pmsuspended",
];

const version = (v: bigint) =>
  `${v / 1_000_000n}.${(v / 1000n) % 1000n}.${v % 1000n}`;

async function main(uri: string): Promise<number> {
  let client: RemoteClient;
  try {
    client = await RemoteClient.connect(uri, { timeoutMs: 10_000 });
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    console.log(
      `hypervisor version: ${version(await client.connectGetVersion())}`,
    );
    const { domains } = await client.connectListAllDomains(1); // need_results = 1, flags = 0: all domains
    console.log(`${domains.length} domain(s):`);
    for (const dom of domains) {
      const info = await client.domainGetInfo(dom);
      console.log(
        `  ${dom.name}: ${STATES[info.state] ?? `state ${info.state}`}, memory ${info.memory} KiB of ${info.maxMem} KiB, ${info.nrVirtCpu} vCPU(s)`,
      );
    }
    const first = domains[0];
    if (first) {
      try {
        await client.domainMigrateStartPostCopy(first);
        console.log(`domainMigrateStartPostCopy(${first.name}): ok`);
      } catch (e) {
        if (!(e instanceof VirtError)) throw e;
        console.log(
          `domainMigrateStartPostCopy(${first.name}): ${e.codeName} (code ${e.code}): ${e.message}`,
        );
      }
    }
    return 0;
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await client.close();
  }
}

const uri = process.argv[2];
if (!uri) {
  process.stderr.write(
    "usage: npm run example:client -- '<libvirt URI>'   e.g. 'test+unix:///default?socket=/tmp/x/libvirt-sock'\n",
  );
  process.exitCode = 2;
} else {
  process.exitCode = await main(uri);
}
