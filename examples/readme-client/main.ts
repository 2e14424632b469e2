import * as libvirt from "../../generated/remote_protocol/index.js";

const client = await libvirt.RemoteClient.connect(process.argv[2]!); // e.g. test+unix:///default?socket=/tmp/x/libvirt-sock
const { domains } = await client.connectListAllDomains(1);
for (const dom of domains) {
  const { state } = await client.domainGetState(dom);
  console.log(`${dom.name}: ${libvirt.virDomainState[state]}`);
}
const events = await client.events.domainLifecycle();
await client.domainDestroy(domains[0]!);
const e = await events.once();
console.log(`${e.dom.name}: ${libvirt.virDomainEventType[e.event]}`);
await client.close();
