/** Operator endpoints for the context rules, behind ADMIN_TOKEN: replaced whole, versioned, live within seconds. */
import { Hono } from "hono";
import { compileContextRules } from "../../domain/context/compile";
import { loadContextDocument, saveContextDocument } from "../../platform/context-store";
import { adminAuth } from "../http/bearer-auth";
import type { AppEnv } from "../http/hono-env";
import { acceptDocument } from "./versioned-document";

const PATH = "/v1/admin/context";

export const contextRoutes = new Hono<AppEnv>();

contextRoutes.use(PATH, adminAuth);

contextRoutes.get(PATH, async (c) => {
  c.header("Content-Type", "application/json");
  return c.body((await loadContextDocument(c.env.PROFILES)) ?? JSON.stringify({ version: 0, rules: [] }));
});

contextRoutes.put(PATH, async (c) => {
  const { text, compiled } = await acceptDocument(c.req.raw, compileContextRules, () => loadContextDocument(c.env.PROFILES));
  await saveContextDocument(c.env.PROFILES, text, compiled);
  return c.json({ version: compiled.version }, 200);
});
