/** A Node HTTP server of a browser test (a partner, a control), listening on a loopback port until the test closes it. */
import type { Server } from "node:http";

export interface LoopbackServer {
  origin: string;
  close(): Promise<void>;
}

export async function listenOnLoopback(server: Server, port: number): Promise<LoopbackServer> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
