/**
 * Import rules, checked by `npm run check`: the layers of docs/architecture.md, and no cycles.
 * domain/ is pure; platform/ adapts bindings for more than one tier; worker/, durable/ and sync/ stay apart.
 */
const PRODUCTION = "^(domain|platform|worker|durable|sync)/";

/** @type {import("dependency-cruiser").IConfiguration} */
export default {
  forbidden: [
    {
      name: "no-cycle",
      comment: "Modules that import each other, however indirectly, cannot be read, tested or moved one at a time.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "domain-is-pure",
      comment: "domain/ holds plain functions and types: it imports only domain/ and plain libraries, never a tier, Hono or the runtime.",
      severity: "error",
      from: { path: "^domain/" },
      to: { pathNot: ["^domain/", "^node_modules/@iabgpp/"] },
    },
    {
      name: "platform-over-domain",
      comment: "platform/ adapts bindings for more than one tier: it may build on domain/, never on a tier.",
      severity: "error",
      from: { path: "^platform/" },
      to: { path: "^(worker|durable|sync)/" },
    },
    {
      name: "tiers-apart",
      comment:
        "worker/, durable/ and sync/ meet only in the entry point (worker/index.ts) and through the Durable Objects' types (typed stubs). Shared code goes to domain/ or platform/.",
      severity: "error",
      from: { path: "^(worker|durable|sync)/", pathNot: "^worker/index\\.ts$" },
      to: { path: "^(worker|durable|sync)/", pathNot: ["^$1/", "^durable/"] },
    },
    {
      name: "durable-by-type-only",
      comment: "Outside the entry point, the Durable Objects are reached through their stubs: only their types may be imported.",
      severity: "error",
      from: { path: "^(worker|sync|platform)/", pathNot: "^worker/index\\.ts$" },
      to: { path: "^durable/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "production-stands-alone",
      comment:
        "The deployed code never imports the tests, the benchmark, the models, the scripts, the Prebid module or the batch job (nor reads their output).",
      severity: "error",
      from: { path: PRODUCTION },
      to: { path: "^(test|bench|sim|scripts|demo|prebid|batch)/" },
    },
    {
      name: "batch-beside-the-edge",
      comment:
        "The batch job runs in Node beside the deployment and meets it only through the buckets and the admin API: it imports no tier.",
      severity: "error",
      from: { path: "^batch/" },
      to: { path: "^(worker|durable|sync|platform)/" },
    },
    {
      name: "tag-stands-alone",
      comment: "The ad tag runs in publishers' pages: it bundles nothing of the edge's code.",
      severity: "error",
      from: { path: "^tag/" },
      to: { path: "^(domain|platform|worker|durable|sync)/" },
    },
    {
      name: "prebid-module-stands-alone",
      comment:
        "The Prebid module runs in publishers' Prebid bundles: it reaches the tag only through window.udn, and bundles nothing of the edge's code.",
      severity: "error",
      from: { path: "^prebid/" },
      to: { path: "^(domain|platform|worker|durable|sync|tag|demo|test)/" },
    },
    {
      name: "not-to-unresolvable",
      comment: "An import that resolves to nothing is a typo or a missing dependency.",
      severity: "error",
      from: {},
      to: { couldNotResolve: true, pathNot: "^cloudflare:" },
    },
  ],
  options: {
    parser: "swc",
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^dist/" },
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      extensions: [".ts", ".mjs", ".js", ".json", ".d.ts"],
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
    },
  },
};
