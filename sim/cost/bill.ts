/** The month's bill at list prices: one line per metered item, and the total with the plan's subscription. */
import type { CostInputs } from "./inputs";
import { charge, PRICES, type PriceKey, SUBSCRIPTION_USD } from "./prices";
import { type Usage, usage } from "./usage";

export interface Line {
  key: PriceKey;
  units: number;
  usd: number;
}

export interface Bill {
  usage: Usage;
  lines: Line[];
  totalUsd: number;
}

export function bill(inputs: CostInputs): Bill {
  const u = usage(inputs);
  const lines = (Object.keys(PRICES) as PriceKey[]).map((key) => ({ key, units: u.monthly[key], usd: charge(key, u.monthly[key]) }));
  return { usage: u, lines, totalUsd: SUBSCRIPTION_USD + lines.reduce((n, l) => n + l.usd, 0) };
}
