/** Which udn_id and udn_optout a Cookie header carries: the first of each name counts. */
import { describe, expect, it } from "vitest";
import { readIdCookies } from "../../domain/id-cookie";

describe("readIdCookies", () => {
  it("reads our id among other cookies, with or without spaces", () => {
    expect(readIdCookies("a=1; udn_id=x.y; b=2")).toEqual({ id: "x.y", optedOut: false });
    expect(readIdCookies("udn_id=x.y")).toEqual({ id: "x.y", optedOut: false });
    expect(readIdCookies("a=1;udn_id=x.y;b=2")).toEqual({ id: "x.y", optedOut: false });
  });

  it("takes the first of each name when a header carries it twice", () => {
    expect(readIdCookies("udn_id=first.sig; udn_id=second.sig").id).toBe("first.sig");
    expect(readIdCookies("a=1; udn_id=first.sig; c=3; udn_id=second.sig").id).toBe("first.sig");
    expect(readIdCookies("udn_optout=1; udn_optout=0").optedOut).toBe(true);
    expect(readIdCookies("udn_optout=0; udn_optout=1").optedOut).toBe(false);
    // An empty first value still counts as the first: the browser sent no usable id.
    expect(readIdCookies("udn_id=; udn_id=second.sig").id).toBeUndefined();
  });

  it("sees no id in names that only look like ours, or in a missing header", () => {
    expect(readIdCookies("xudn_id=a.b; udn_id_old=c.d; udn_optout=yes")).toEqual({ id: undefined, optedOut: false });
    expect(readIdCookies(undefined)).toEqual({ id: undefined, optedOut: false });
    expect(readIdCookies("")).toEqual({ id: undefined, optedOut: false });
    expect(readIdCookies("udn_id")).toEqual({ id: undefined, optedOut: false });
  });

  it("opts out only on udn_optout=1", () => {
    expect(readIdCookies("udn_id=a.b; udn_optout=1")).toEqual({ id: "a.b", optedOut: true });
    expect(readIdCookies(" udn_optout = 1 ").optedOut).toBe(true);
  });
});
