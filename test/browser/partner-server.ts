/**
 * A stand-in for a partner's cookie-sync server (an SSP), on its own loopback port. Its id for a browser lives in its
 * own cookie (`ssp_uid`, minted when absent). `/pixel` sends the browser to our `/v1/match` with that id; `/setuid`
 * takes our id (our `/v1/sync` sends the browser there) and, as partners do, sends the browser back to our match URL
 * with its own. It records every request it gets. Cookies ignore ports: its cookie reaches the edge's host too, which
 * reads only its own.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { type LoopbackServer, listenOnLoopback } from "./loopback-server";

/** A 1×1 transparent GIF: what a partner's pixel answers. */
const GIF = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

export interface PartnerServer extends LoopbackServer {
  /** The requests it got, in order: path, query, and the partner's id for the browser (`fresh` when just minted). */
  seen: { path: string; query: Record<string, string>; puid: string; fresh: boolean }[];
}

/**
 * @param edge our origin, where `/pixel` sends the browser
 * @param partner the partner's id at our edge (`ssp1`)
 */
export async function startPartnerServer(port: number, edge: string, partner: string): Promise<PartnerServer> {
  const seen: PartnerServer["seen"] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const known = /(?:^|;\s*)ssp_uid=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
    const puid = known ?? `ssp-${randomUUID()}`;
    seen.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), puid, fresh: !known });
    if (!known) res.setHeader("Set-Cookie", `ssp_uid=${puid}; Path=/; Max-Age=86400; SameSite=None; Secure`);
    if (url.pathname === "/pixel") {
      const match = `${edge}/v1/match?partner=${partner}&puid=${encodeURIComponent(puid)}`;
      return res.writeHead(302, { Location: match, "Cache-Control": "no-store" }).end();
    }
    if (url.pathname === "/setuid") {
      // Our MATCH_URL ends in `puid=`: the partner appends its id and sends the browser back, completing the match.
      const back = url.searchParams.get("back");
      if (back) return res.writeHead(302, { Location: back + encodeURIComponent(puid), "Cache-Control": "no-store" }).end();
      return res.writeHead(200, { "Content-Type": "image/gif", "Cache-Control": "no-store" }).end(GIF);
    }
    res.writeHead(404).end();
  });
  return { ...(await listenOnLoopback(server, port)), seen };
}
