// The domains a libvirt URI lists, asked through our generated client and through virsh (the
// reference): the transport tests check that both reach the same daemon.
import { RemoteClient } from "../../generated/remote_protocol/index.js";
import { virsh } from "./libvirtd.js";

/** Names of all domains (`connectListAllDomains`) through our client, sorted. */
export async function ourDomains(
  uri: string,
  timeoutMs = 10_000,
): Promise<string[]> {
  const client = await RemoteClient.connect(uri, { timeoutMs });
  try {
    const { domains } = await client.connectListAllDomains(1, 0);
    return domains.map((d) => d.name).sort();
  } finally {
    await client.close();
  }
}

/** Names of all domains as `virsh list --all --name` prints them, sorted. */
export async function virshDomains(uri: string): Promise<string[]> {
  return (await virsh(uri, "list", "--all", "--name"))
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .sort();
}
