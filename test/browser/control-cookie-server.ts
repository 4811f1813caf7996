/**
 * A control for third-party cookie tests, on the edge's site (127.0.0.1): `/set` sets one ordinary
 * and one Partitioned cookie, `/echo` answers the Cookie header it received. If the ordinary cookie
 * comes back, third-party cookies are not blocked, whatever the test believes.
 */
import { createServer } from "node:http";

export async function startControlServer(port: number): Promise<{ origin: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const origin = req.headers.origin;
    const cors: Record<string, string> = origin ? { "Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true", Vary: "Origin" } : {};
    if (req.url === "/set") {
      res.setHeader("Set-Cookie", ["udn_ctl=1; Path=/; SameSite=None; Secure", "udn_ctlp=1; Path=/; SameSite=None; Secure; Partitioned"]);
      return res.writeHead(204, cors).end();
    }
    if (req.url === "/echo") return res.writeHead(200, { ...cors, "Content-Type": "text/plain" }).end(req.headers.cookie ?? "");
    res.writeHead(404).end();
  });
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
