/**
 * A control for third-party cookie tests, on the edge's site (127.0.0.1): `/set` sets one ordinary
 * and one Partitioned cookie, `/echo` answers which of the two came back. If the ordinary cookie
 * comes back, third-party cookies are not blocked, whatever the test believes.
 */
import { createServer } from "node:http";
import type { Page } from "playwright-core";
import { type LoopbackServer, listenOnLoopback } from "./loopback-server";

/**
 * Sets the control cookies from `page` (a third-party call, as the tag's are) and answers what the control
 * got back: "udn_ctlp=1" alone where third-party cookies are blocked. Cookies ignore ports, so the control's
 * cookies go to the edge's host too: read the edge's cookies before this, or by name.
 */
export function controlCookies(page: Page, controlOrigin: string): Promise<string> {
  return page.evaluate(async (origin) => {
    await fetch(`${origin}/set`, { credentials: "include" });
    return (await fetch(`${origin}/echo`, { credentials: "include" })).text();
  }, controlOrigin);
}

export function startControlServer(port: number): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    const origin = req.headers.origin;
    const cors: Record<string, string> = origin
      ? { "Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true", Vary: "Origin" }
      : {};
    if (req.url === "/set") {
      res.setHeader("Set-Cookie", ["udn_ctl=1; Path=/; SameSite=None; Secure", "udn_ctlp=1; Path=/; SameSite=None; Secure; Partitioned"]);
      return res.writeHead(204, cors).end();
    }
    if (req.url === "/echo") {
      // Cookies ignore ports: the edge's cookies on this host arrive here too, and are not the control's.
      const own = (req.headers.cookie ?? "").split("; ").filter((c) => c.startsWith("udn_ctl"));
      return res.writeHead(200, { ...cors, "Content-Type": "text/plain" }).end(own.join("; "));
    }
    res.writeHead(404).end();
  });
  return listenOnLoopback(server, port);
}
