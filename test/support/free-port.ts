// A TCP port on 127.0.0.1 that nothing listens on right now (the kernel picks it: port 0), for
// peers that must be told their port in a config file. Another process could take it before
// the peer binds it; callers start the peer right away.
import { createServer } from "node:net";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
