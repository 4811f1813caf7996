/** Operator endpoints for a document replaced whole (context rules, partners), behind ADMIN_TOKEN: versioned, live within seconds. */
import { Hono } from "hono";
import type { ConfigDocument } from "../../platform/config-document";
import { adminAuth } from "../http/bearer-auth";
import type { AppEnv } from "../http/hono-env";
import { acceptDocument } from "./versioned-document";

/** GET answers the stored document (or `empty`), PUT replaces it when it compiles and its version grows. */
export function documentRoutes<T extends { version: number }>(
  path: string,
  store: ConfigDocument<T>,
  compile: (doc: unknown) => T,
  empty: string,
): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.use(path, adminAuth);
  routes.get(path, async (c) => {
    c.header("Content-Type", "application/json");
    return c.body((await store.load(c.env.PROFILES)) ?? empty);
  });
  routes.put(path, async (c) => {
    const { text, compiled } = await acceptDocument(c.req.raw, compile, () => store.load(c.env.PROFILES));
    await store.save(c.env.PROFILES, text, compiled);
    return c.json({ version: compiled.version }, 200);
  });
  return routes;
}
