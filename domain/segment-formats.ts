/** Renders a profile in the contract's formats: json, ortb2 (OpenRTB user.data), gpt (key-values), js (callback) and page (all three at once). */
import { UdnError } from "./input-error";
import type { Profile } from "./profile-record";

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

export function jsonForm(p: Profile): { segments: string[]; ts: number } {
  return { segments: p.segments.map((s) => s.id), ts: p.ts };
}

/** One OpenRTB Data object per taxonomy; `ext.segtax` is omitted for proprietary segments. */
export function ortb2Form(p: Profile, providerName: string) {
  const groups = new Map<number | undefined, { id: string }[]>();
  for (const s of p.segments) {
    const g = groups.get(s.taxonomy);
    if (g) g.push({ id: s.id });
    else groups.set(s.taxonomy, [{ id: s.id }]);
  }
  const data = [...groups].map(([segtax, segment]) =>
    segtax === undefined ? { name: providerName, segment } : { name: providerName, ext: { segtax }, segment },
  );
  return { user: { data } };
}

export function gptForm(p: Profile, gptKey: string): Record<string, string[]> {
  return { [gptKey]: p.segments.map((s) => s.id).filter((id) => id.length <= GPT_VALUE_MAX) };
}

/** What a page's tag needs from one answer: json's ids and version, ortb2's `user`, gpt's key-values under `gpt`. */
export function pageForm(p: Profile, opts: FormatOptions) {
  return { ...jsonForm(p), ...ortb2Form(p, opts.providerName), gpt: gptForm(p, opts.gptKey) };
}

/** @returns the body text and its content type */
export function renderSegments(p: Profile, format: Format, opts: FormatOptions, callback?: string): [string, string] {
  switch (format) {
    case "json":
      return [JSON.stringify(jsonForm(p)), "application/json"];
    case "ortb2":
      return [JSON.stringify(ortb2Form(p, opts.providerName)), "application/json"];
    case "gpt":
      return [JSON.stringify(gptForm(p, opts.gptKey)), "application/json"];
    case "page":
      return [JSON.stringify(pageForm(p, opts)), "application/json"];
    case "js":
      return [`${callback}(${JSON.stringify(jsonForm(p))});`, "application/javascript; charset=utf-8"];
  }
}
