/** `npm run model:cost`: the cost model's tables, spliced into docs/capacity-and-cost.md between its markers. */
import { ASSUMPTIONS } from "./assumptions";
import { bill } from "./bill";
import { count, percent, table, usd } from "./format";
import { BASELINE, type CostInputs, withBench } from "./inputs";
import { sweeps, variants } from "./levers";
import { BENCH, type BenchFigures, benchFigures, type LocationFigures, locationFigures, NO_LOCATION_FIGURES } from "./measured";
import { PRICES, PRICES_READ_ON, type PriceKey, SUBSCRIPTION_USD } from "./prices";

export const DOC = "docs/capacity-and-cost.md";
const BENCH_RESULTS = "bench/results.json";
const LOCATION_RESULTS = "bench/location-results.json";

const LINE_NAMES: Record<PriceKey, string> = {
  workersRequests: "Workers requests",
  workersCpuMs: "Workers CPU",
  kvReads: "KV reads",
  kvWrites: "KV writes",
  kvDeletes: "KV deletes",
  kvStorageGb: "KV storage",
  doRequests: "Durable Object requests",
  doGbSeconds: "Durable Object duration",
  doRowsRead: "Durable Object SQLite rows read",
  doRowsWritten: "Durable Object SQLite rows written",
  doStorageGb: "Durable Object SQLite storage",
  queueOps: "Queue operations",
  r2ClassA: "R2 Class A (writes)",
  r2ClassB: "R2 Class B (reads)",
  r2StorageGb: "R2 storage",
};

function pricesTable(): string {
  return `${table(
    ["item", "included per month", "list price", "page"],
    (Object.keys(PRICES) as PriceKey[]).map((k) => {
      const p = PRICES[k];
      const per = p.per === 1 ? "" : p.per === 1e6 ? "million " : `${count(p.per)} `;
      return [LINE_NAMES[k], `${count(p.included)} ${p.unit}`, `$${p.usd.toFixed(p.usd < 0.01 ? 3 : 2)} per ${per}${p.unit}`, p.source];
    }),
  )}\n\nWorkers Paid subscription: $${SUBSCRIPTION_USD} a month. Prices read on ${PRICES_READ_ON}.`;
}

function inputsTable(base: CostInputs, bench: BenchFigures, location: LocationFigures): string {
  const skip = new Set<keyof CostInputs>(["sql"]);
  const rows = (Object.keys(base) as (keyof CostInputs)[])
    .filter((k) => !skip.has(k))
    .map((k) => [`\`${k}\``, String(typeof base[k] === "number" ? count(base[k]) : base[k])]);
  const sql = Object.entries(base.sql).map(([k, v]) => [`\`sql.${k}\``, count(v)]);
  const loc = location.date
    ? ` \`kvShareOfIsolateMisses\` from ${LOCATION_RESULTS} of ${location.date} (${location.isolates} isolates of one location).`
    : "";
  const batch = bench.cpuUsBatch100 ? ", `cpuMsPerBatchLookup`" : "";
  return `\`isolateHitRatio\`, \`cpuMsPerLookup\`${batch} from ${BENCH_RESULTS} of ${bench.date}.${loc}\n\n${table(["input", "baseline"], [...rows, ...sql])}`;
}

function capacityTable(base: CostInputs): string {
  const d = bill(base).usage.daily;
  const perSecond = (n: number) => count(n / 86_400);
  const rows: [string, number, string][] = [
    ["lookup requests", d.lookupRequests, ""],
    ["event requests", d.eventRequests, "answered at once; the object call runs after the response"],
    ["identity requests", d.identityRequests, "cookie matches and declared ids"],
    ["KV reads", d.kvReads, "isolate misses and background refreshes, partner aliases, page maps"],
    ["KV writes", d.kvWrites, "≤ 1 per second per key: the object coalesces"],
    ["object calls (events, batch records, alarms, retries, identity)", d.objectCalls, "spread over the users' objects"],
    ["SQLite rows written", d.rowsWritten, ""],
    ["SQLite rows read", d.rowsRead, ""],
    [
      "queue messages (sync slices, event retries, event log)",
      d.queueMessages,
      "a queue takes ~5,000 messages/s: the event log needs several queues or bigger messages",
    ],
    ["R2 writes", d.r2ClassA, ""],
    ["R2 reads", d.r2ClassB, ""],
  ];
  return table(
    ["what", "per day", "per second (average)", "note"],
    rows.map(([what, n, note]) => [what, count(n), perSecond(n), note]),
  );
}

function billTable(inputs: CostInputs): string {
  const b = bill(inputs);
  const rows = b.lines
    .filter((l) => l.units > 0)
    .map((l) => [LINE_NAMES[l.key], `${count(l.units)} ${PRICES[l.key].unit}`, usd(l.usd), `${((100 * l.usd) / b.totalUsd).toFixed(1)} %`]);
  return table(
    ["line", "per month", "cost per month", "share"],
    [...rows, ["subscription", "", usd(SUBSCRIPTION_USD), ""], ["**total**", "", `**${usd(b.totalUsd)}**`, ""]],
  );
}

function leversTable(inputs: CostInputs): string {
  const base = bill(inputs).totalUsd;
  const rows = variants(inputs)
    .map((v) => ({ v, total: bill(v.inputs).totalUsd }))
    .sort((a, b) => Math.abs(b.total - base) - Math.abs(a.total - base))
    .map(({ v, total }) => [v.name, v.kind, usd(total), `${total >= base ? "+" : ""}${usd(total - base)}`, percent((total - base) / base)]);
  return table(["variant (one change from the baseline)", "kind", "total per month", "change", "change %"], rows);
}

function sensitivityTables(base: CostInputs): string {
  return sweeps(base)
    .map(({ input, label, values }) => {
      const rows = values.map((x) => {
        const b = bill({ ...base, [input]: x });
        const top = [...b.lines].sort((p, q) => q.usd - p.usd)[0]!;
        return [count(x), usd(b.totalUsd), `${LINE_NAMES[top.key]} (${usd(top.usd)})`];
      });
      return table([label, "total per month", "largest line"], rows);
    })
    .join("\n\n");
}

/** Each assumption at either end of its range, the widest swing first; then every assumption at its cheaper end, and at its dearer end. */
export function assumptionsTable(base: CostInputs): string {
  const total = (over: Partial<CostInputs>) => bill({ ...base, ...over }).totalUsd;
  const cheap: Partial<CostInputs> = {};
  const dear: Partial<CostInputs> = {};
  const rows = ASSUMPTIONS.map((a) => {
    const [low, high] = [total({ [a.input]: a.low }), total({ [a.input]: a.high })];
    Object.assign(cheap, { [a.input]: low <= high ? a.low : a.high });
    Object.assign(dear, { [a.input]: low <= high ? a.high : a.low });
    return { a, low, high, swing: Math.abs(high - low) };
  }).sort((p, q) => q.swing - p.swing);
  const body = rows.map(({ a, low, high, swing }) => [
    `\`${a.input}\``,
    a.kind,
    count(base[a.input]),
    `${count(a.low)}: ${usd(low)}`,
    `${count(a.high)}: ${usd(high)}`,
    usd(swing),
    a.why,
  ]);
  const ends = `Every assumption at its cheaper end: **${usd(total(cheap))}** a month; every one at its dearer end: **${usd(total(dear))}**.`;
  return `${table(["input", "kind", "baseline", "low: total", "high: total", "swing", "why this range"], body)}\n\n${ends}`;
}

export function blocks(bench: BenchFigures = BENCH, location: LocationFigures = NO_LOCATION_FIGURES): Record<string, string> {
  const base = bench === BENCH && location === NO_LOCATION_FIGURES ? BASELINE : withBench(bench, location);
  return {
    prices: pricesTable(),
    inputs: inputsTable(base, bench, location),
    capacity: capacityTable(base),
    bill: billTable(base),
    levers: leversTable(base),
    sensitivity: sensitivityTables(base),
    assumptions: assumptionsTable(base),
  };
}

/** Replaces the text between `<!-- model:NAME -->` and `<!-- /model:NAME -->` with the block of that name. */
export function splice(doc: string, generated: Record<string, string>): string {
  let out = doc;
  for (const [name, text] of Object.entries(generated)) {
    const re = new RegExp(`(<!-- model:${name} -->)[\\s\\S]*?(<!-- /model:${name} -->)`);
    if (!re.test(out)) throw new Error(`${DOC} has no <!-- model:${name} --> ... <!-- /model:${name} --> block`);
    out = out.replace(re, (_m, open: string, close: string) => `${open}\n${text}\n${close}`);
  }
  return out;
}

/** The bench's latest figures when bench/results.json has them, else those of the run the doc was first written from. */
function latestBench(read: (path: string) => string | null): BenchFigures {
  const text = read(BENCH_RESULTS);
  return (text && benchFigures(JSON.parse(text))) || BENCH;
}

/** The location bench's figures when bench/location-results.json exists. */
function latestLocation(read: (path: string) => string | null): LocationFigures {
  const text = read(LOCATION_RESULTS);
  return (text && locationFigures(JSON.parse(text))) || NO_LOCATION_FIGURES;
}

export function main(_args: string[], read: (path: string) => string | null): { stdout: string; files: Record<string, string> } {
  const generated = blocks(latestBench(read), latestLocation(read));
  const stdout = Object.entries(generated)
    .map(([name, text]) => `## ${name}\n\n${text}\n`)
    .join("\n");
  const doc = read(DOC);
  return { stdout, files: doc === null ? {} : { [DOC]: splice(doc, generated) } };
}
