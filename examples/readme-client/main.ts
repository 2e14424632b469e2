import type { VirtError } from "virt-rpcgen/runtime";
import { RemoteClient } from "../../generated/remote_protocol/index.js";

const client = await RemoteClient.connect(process.argv[2]!); // e.g. test+unix:///default?socket=/tmp/x/libvirt-sock
console.log(`hypervisor version: ${await client.connectGetVersion()}`);
const { domains } = await client.connectListAllDomains(1);
for (const dom of domains) {
  const info = await client.domainGetInfo(dom);
  console.log(`${dom.name}: state ${info.state}, memory ${info.memory} KiB`);
}
await client
  .domainMigrateStartPostCopy(domains[0]!)
  .catch((e: VirtError) =>
    console.log(`post-copy: ${e.message} (code ${e.code})`),
  );
await client.close();
