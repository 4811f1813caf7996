/** Operator endpoints behind ADMIN_TOKEN: segment definitions, sync control and this isolate's stats. */
import { Hono } from "hono";
import { UdnError } from "../../domain/input-error";
import { parseReach, REACH_KEY } from "../../domain/reach";
import { compileRules } from "../../domain/rules/compile";
import { loadSegmentDocument, saveSegmentDocument } from "../../platform/segment-store";
import { coordinator } from "../../platform/stubs";
import { adminAuth } from "../http/bearer-auth";
import type { AppEnv } from "../http/hono-env";
import { isolateStats } from "./isolate-stats";
import { acceptDocument } from "./versioned-document";

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
  const { text, compiled } = await acceptDocument(c.req.raw, compileRules, () => loadSegmentDocument(c.env.PROFILES));
  await saveSegmentDocument(c.env.PROFILES, text);
  return c.json({ version: compiled.version }, 200);
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
