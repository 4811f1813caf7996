// A publisher's web server for the demo and the browser tests: static pages on a loopback port, on another site than the edge.

import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8" };

/**
 * Serves files from `roots` (the first that has the path wins); in HTML, `%EDGE%` becomes the edge's
 * origin, so a page's one line is `<script async src="%EDGE%/v1/tag.js"></script>`.
 * @param {{ roots: string[], edge: string, port: number, host?: string }} options
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function servePublisher({ roots, edge, port, host = "127.0.0.1" }) {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    // No favicon: Chromium would log its 404 as a console error.
    if (path === "/favicon.ico") return res.writeHead(204).end();
    const file = normalize(path.endsWith("/") ? `${path}index.html` : path);
    for (const root of roots) {
      if (file.includes("..")) break;
      try {
        let body = await readFile(join(root, file));
        const type = TYPES[extname(file)] ?? "application/octet-stream";
        if (type.startsWith("text/html")) body = Buffer.from(body.toString("utf8").replaceAll("%EDGE%", edge));
        return res.writeHead(200, { "Content-Type": type, "Cache-Control": "no-store" }).end(body);
      } catch {
        // Not in this root: try the next.
      }
    }
    res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  return {
    // localhost and 127.0.0.1 are different sites: a page here calling an edge on 127.0.0.1 is a third-party call.
    url: `http://localhost:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
