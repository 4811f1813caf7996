/** Operator endpoints for the context rules, behind ADMIN_TOKEN: replaced whole, versioned, live within seconds. */
import { Hono } from "hono";
import { type CompiledContextRules, compileContextRules } from "../../domain/context/compile";
import { UdnError } from "../../domain/input-error";
import { loadContextDocument, saveContextDocument } from "../../platform/context-store";
import { adminAuth } from "../http/bearer-auth";
import type { AppEnv } from "../http/hono-env";
import { readText } from "../http/request-limits";

const MAX_DOCUMENT_BYTES = 256 * 1024;
const PATH = "/v1/admin/context";

export const contextRoutes = new Hono<AppEnv>();

contextRoutes.use(PATH, adminAuth);

contextRoutes.get(PATH, async (c) => {
  c.header("Content-Type", "application/json");
  return c.body((await loadContextDocument(c.env.PROFILES)) ?? JSON.stringify({ version: 0, rules: [] }));
});

contextRoutes.put(PATH, async (c) => {
  const text = await readText(c.req.raw, MAX_DOCUMENT_BYTES);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UdnError(400, "document is not valid JSON");
  }
  let rules: CompiledContextRules;
  try {
    rules = compileContextRules(doc);
  } catch (e) {
    throw new UdnError(400, e instanceof Error ? e.message : String(e));
  }
  const current = await loadContextDocument(c.env.PROFILES);
  const currentVersion = current ? (JSON.parse(current) as { version: number }).version : 0;
  if (rules.version <= currentVersion) throw new UdnError(409, `version must be greater than the current version ${currentVersion}`);
  await saveContextDocument(c.env.PROFILES, JSON.stringify(doc), rules);
  return c.json({ version: rules.version }, 200);
});
