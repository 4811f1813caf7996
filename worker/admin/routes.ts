/** Operator endpoints behind ADMIN_TOKEN: segment definitions, sync control and this isolate's stats. */
import { Hono } from "hono";
import { UdnError } from "../../domain/input-error";
import { parseReach, REACH_KEY } from "../../domain/reach";
import { compileRules } from "../../domain/rules/compile";
import { loadSegmentDocument, saveSegmentDocument } from "../../platform/segment-store";
import { coordinator } from "../../platform/stubs";
import { adminAuth } from "../http/bearer-auth";
import type { AppEnv } from "../http/hono-env";
import { readText } from "../http/request-limits";
import { isolateStats } from "./isolate-stats";

const MAX_DOCUMENT_BYTES = 256 * 1024;

export const adminRoutes = new Hono<AppEnv>();

adminRoutes.use("/v1/admin/*", adminAuth);

/** The rules, and the batch segments' latest reach when the batch job has written one to the origin. */
adminRoutes.get("/v1/admin/segments", async (c) => {
  const [doc, reachObject] = await Promise.all([loadSegmentDocument(c.env.PROFILES), c.env.ORIGIN.get(REACH_KEY)]);
  const body = doc ?? JSON.stringify({ version: 0, segments: [] });
  const reach = reachObject ? parseReach(await reachObject.text()) : null;
  c.header("Content-Type", "application/json");
  return c.body(reach ? JSON.stringify({ ...JSON.parse(body), reach }) : body);
});

adminRoutes.put("/v1/admin/segments", async (c) => {
  const text = await readText(c.req.raw, MAX_DOCUMENT_BYTES);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UdnError(400, "document is not valid JSON");
  }
  let version: number;
  try {
    version = compileRules(doc).version;
  } catch (e) {
    throw new UdnError(400, e instanceof Error ? e.message : String(e));
  }
  const current = await loadSegmentDocument(c.env.PROFILES);
  const currentVersion = current ? (JSON.parse(current) as { version: number }).version : 0;
  if (version <= currentVersion) {
    throw new UdnError(409, `version must be greater than the current version ${currentVersion}`);
  }
  await saveSegmentDocument(c.env.PROFILES, JSON.stringify(doc));
  return c.json({ version }, 200);
});

/** Starts the next version now; while one runs, re-sends its stalled and dead steps instead. */
adminRoutes.post("/v1/admin/sync", async (c) => {
  const outcome = await coordinator(c.env).tick({ redrive: true });
  if (outcome.outcome === "invalid-manifest") throw new UdnError(422, outcome.error ?? "the manifest is invalid");
  return c.json(outcome, 202);
});

adminRoutes.get("/v1/admin/sync", async (c) => c.json(await coordinator(c.env).status()));

/** This isolate only: each isolate has its own cache, so the fleet view is in Analytics Engine (README). */
adminRoutes.get("/v1/admin/stats", (c) => c.json(isolateStats()));
