/** Renders a profile and the page's segments in the contract's formats: json, ortb2 (OpenRTB user.data, site.content.data), gpt (key-values), js (callback) and page (all three at once). */
import type { Eid } from "./identity/eids";
import { UdnError } from "./input-error";
import type { Profile, SegmentRef } from "./profile-record";

export type Format = "json" | "ortb2" | "gpt" | "js" | "page";
const FORMATS = new Set<string>(["json", "ortb2", "gpt", "js", "page"]);

/** GPT values: at most 40 characters, none of GPT's forbidden characters (our ids never contain them). */
const GPT_VALUE_MAX = 40;
/** A plain dotted JS identifier such as `cb` or `window.udn.cb`: nothing a page could be tricked into running. */
const CALLBACK = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}(\.[A-Za-z_$][A-Za-z0-9_$]{0,63}){0,4}$/;

export interface FormatOptions {
  providerName: string;
  gptKey: string;
}

export function parseFormat(format: string | undefined, callback: string | undefined): { format: Format; callback?: string } {
  const f = format ?? "json";
  if (!FORMATS.has(f)) throw new UdnError(400, `format must be one of json, ortb2, gpt, js, page; got "${f.slice(0, 20)}"`);
  if (f !== "js") return { format: f as Format };
  if (!callback || !CALLBACK.test(callback)) throw new UdnError(400, "callback must be a plain dotted identifier such as udnCallback");
  return { format: "js", callback };
}

/** The page's segments and the user's ids are named only when there are some, so answers without them keep their old form. */
export function jsonForm(
  p: Profile,
  context: readonly SegmentRef[] = [],
  eids: readonly Eid[] = [],
): { segments: string[]; ts: number; context?: string[]; eids?: readonly Eid[] } {
  const form: { segments: string[]; ts: number; context?: string[]; eids?: readonly Eid[] } = {
    segments: p.segments.map((s) => s.id),
    ts: p.ts,
  };
  if (context.length) form.context = context.map((s) => s.id);
  if (eids.length) form.eids = eids;
  return form;
}

/** One OpenRTB Data object per taxonomy; `ext.segtax` is omitted for proprietary segments. */
function dataObjects(segments: readonly SegmentRef[], providerName: string) {
  const groups = new Map<number | undefined, { id: string }[]>();
  for (const s of segments) {
    const g = groups.get(s.taxonomy);
    if (g) g.push({ id: s.id });
    else groups.set(s.taxonomy, [{ id: s.id }]);
  }
  return [...groups].map(([segtax, segment]) =>
    segtax === undefined ? { name: providerName, segment } : { name: providerName, ext: { segtax }, segment },
  );
}

/**
 * The user's segments in `user.data` and ids in `user.eids`; the page's segments in `site.content.data`, where OpenRTB
 * puts what describes content.
 */
export function ortb2Form(p: Profile, providerName: string, context: readonly SegmentRef[] = [], eids: readonly Eid[] = []) {
  const user = eids.length ? { data: dataObjects(p.segments, providerName), eids } : { data: dataObjects(p.segments, providerName) };
  return context.length ? { user, site: { content: { data: dataObjects(context, providerName) } } } : { user };
}

/** The key of the page's segments in GPT: its own key, so line items can target the page apart from the user. */
export function contextGptKey(gptKey: string): string {
  return `${gptKey}_ctx`;
}

export function gptForm(p: Profile, gptKey: string, context: readonly SegmentRef[] = []): Record<string, string[]> {
  const ids = (segments: readonly SegmentRef[]) => segments.map((s) => s.id).filter((id) => id.length <= GPT_VALUE_MAX);
  const form = { [gptKey]: ids(p.segments) };
  if (context.length) form[contextGptKey(gptKey)] = ids(context);
  return form;
}

/** What a page's tag needs from one answer: json's ids and version, ortb2's `user` (and `site`), gpt's key-values under `gpt`. */
export function pageForm(p: Profile, opts: FormatOptions, context: readonly SegmentRef[] = [], eids: readonly Eid[] = []) {
  return { ...jsonForm(p, context), ...ortb2Form(p, opts.providerName, context, eids), gpt: gptForm(p, opts.gptKey, context) };
}

/**
 * @param eids the user's ids: json carries them only when given (a bidder asked), ortb2 and page in `user.eids`
 * @returns the body text and its content type
 */
export function renderSegments(
  p: Profile,
  format: Format,
  opts: FormatOptions,
  callback?: string,
  context: readonly SegmentRef[] = [],
  eids: readonly Eid[] = [],
): [string, string] {
  switch (format) {
    case "json":
      return [JSON.stringify(jsonForm(p, context, eids)), "application/json"];
    case "ortb2":
      return [JSON.stringify(ortb2Form(p, opts.providerName, context, eids)), "application/json"];
    case "gpt":
      return [JSON.stringify(gptForm(p, opts.gptKey, context)), "application/json"];
    case "page":
      return [JSON.stringify(pageForm(p, opts, context, eids)), "application/json"];
    case "js":
      return [`${callback}(${JSON.stringify(jsonForm(p, context))});`, "application/javascript; charset=utf-8"];
  }
}
