/**
 * Cloudflare's published list prices (Workers Paid plan, Standard usage model), USD per month, as read on
 * 2026-11-26 from the pages cited. Enterprise contracts price differently; these are list prices only.
 */

export interface Price {
  /** Monthly usage included in the Workers Paid plan. */
  included: number;
  /** USD per `per` units beyond it. */
  usd: number;
  per: number;
  unit: string;
  source: string;
}

const WORKERS = "developers.cloudflare.com/workers/platform/pricing/";
const KV = "developers.cloudflare.com/kv/platform/pricing/";
const DO = "developers.cloudflare.com/durable-objects/platform/pricing/";
const QUEUES = "developers.cloudflare.com/queues/platform/pricing/";
const R2 = "developers.cloudflare.com/r2/pricing/";
const M = 1_000_000;

export const PRICES_READ_ON = "2026-11-26";
export const SUBSCRIPTION_USD = 5;

export const PRICES = {
  workersRequests: { included: 10 * M, usd: 0.3, per: M, unit: "requests", source: WORKERS },
  workersCpuMs: { included: 30 * M, usd: 0.02, per: M, unit: "CPU ms", source: WORKERS },
  kvReads: { included: 10 * M, usd: 0.5, per: M, unit: "reads", source: KV },
  kvWrites: { included: 1 * M, usd: 5, per: M, unit: "writes", source: KV },
  kvDeletes: { included: 1 * M, usd: 5, per: M, unit: "deletes", source: KV },
  kvStorageGb: { included: 1, usd: 0.5, per: 1, unit: "GB-month", source: KV },
  doRequests: { included: 1 * M, usd: 0.15, per: M, unit: "requests", source: DO },
  doGbSeconds: { included: 400_000, usd: 12.5, per: M, unit: "GB-s", source: DO },
  doRowsRead: { included: 25_000 * M, usd: 0.001, per: M, unit: "rows read", source: DO },
  doRowsWritten: { included: 50 * M, usd: 1, per: M, unit: "rows written", source: DO },
  doStorageGb: { included: 5, usd: 0.2, per: 1, unit: "GB-month", source: DO },
  queueOps: { included: 1 * M, usd: 0.4, per: M, unit: "operations", source: QUEUES },
  r2ClassA: { included: 1 * M, usd: 4.5, per: M, unit: "Class A ops", source: R2 },
  r2ClassB: { included: 10 * M, usd: 0.36, per: M, unit: "Class B ops", source: R2 },
  r2StorageGb: { included: 10, usd: 0.015, per: 1, unit: "GB-month", source: R2 },
} satisfies Record<string, Price>;

export type PriceKey = keyof typeof PRICES;

/** The month's charge for one metered line: nothing within the allowance, list price beyond it. */
export function charge(key: PriceKey, units: number): number {
  const p = PRICES[key];
  return (Math.max(0, units - p.included) / p.per) * p.usd;
}
