// The demo page's own script. Like a publisher's, it talks only to the tag (window.udn), GPT's queue and Prebid (pbjs).
(() => {
  const $ = (id) => document.getElementById(id);
  $("page-origin").textContent = location.origin;

  // A stand-in for gpt.js, which this offline demo does not load: it runs googletag.cmd the way GPT does
  // and shows what setTargeting received, i.e. the key-values the ad request would carry.
  const targeting = {};
  const showTargeting = () => {
    const keys = Object.keys(targeting);
    $("keyvalues").textContent = keys.length ? keys.map((k) => `${k}=${targeting[k].join(",")}`).join("\n") : "none";
  };
  const queued = googletag.cmd;
  googletag.pubads = () => ({
    setTargeting: (k, v) => void (targeting[k] = [].concat(v)),
    clearTargeting: (k) => void delete targeting[k],
  });
  googletag.cmd = {
    push: (fn) => {
      fn();
      showTargeting();
    },
  };
  queued.forEach((fn) => googletag.cmd.push(fn));

  const refresh = () =>
    udn.push((u) =>
      Promise.all([u.segments(), u.gpt(), u.ortb2()]).then(([segments, , ortb2]) => {
        $("segments").replaceChildren(
          ...(segments.length ? segments : ["none yet"]).map((s) => Object.assign(document.createElement("li"), { textContent: s })),
        );
        $("ortb2").textContent = JSON.stringify(ortb2, null, 2);
      }),
    );

  addEventListener("udn:sent", (e) => {
    for (const ev of JSON.parse(e.detail.body).events) {
      const li = document.createElement("li");
      li.textContent = `${new Date(ev.ts).toLocaleTimeString()} ${ev.type} ${JSON.stringify(ev.props)} (${e.detail.via})`;
      $("events").prepend(li);
    }
    // The edge applies events just after answering: ask again a moment later.
    setTimeout(refresh, 300);
  });

  for (const b of document.querySelectorAll("button[data-type]")) {
    b.addEventListener("click", () => udn.push(["track", b.dataset.type, JSON.parse(b.dataset.props)]));
  }
  // Sign-in: the page, not the tag, hashes the address; only the hash leaves the page.
  const sha256Hex = async (text) =>
    Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))), (b) =>
      b.toString(16).padStart(2, "0"),
    ).join("");
  $("signin").addEventListener("click", async () => {
    const address = $("email").value.trim().toLowerCase();
    const sha256_email = await sha256Hex(address);
    $("signin-hash").textContent = `sha256_email ${sha256_email}`;
    $("signin-result").textContent = "signing in…";
    udn.push((u) =>
      u.identify({ sha256_email }).then((ok) => {
        $("signin-result").textContent = ok
          ? `signed in as ${address}: this browser now reads and writes that reader's profile`
          : "not identified (no consent, opted out, or the edge refused)";
        refresh();
      }),
    );
  });
  $("optout").addEventListener("click", () =>
    udn.push((u) =>
      u.optout().then((ok) => ($("optout-result").textContent = ok ? "opted out: this browser's id and data are gone" : "opt-out failed")),
    ),
  );

  // Prebid with the edge's real-time-data module: alpha gets the edge's own user.data, beta the same segments
  // mapped into its taxonomy; both in their own fragments, so the global one (every other bidder) is left alone.
  pbjs.que.push(() => {
    pbjs.setConfig({
      realTimeData: {
        auctionDelay: 200,
        dataProviders: [
          {
            name: "udn",
            waitForIt: true,
            params: {
              bidders: ["alpha", "beta"],
              taxonomies: { beta: { segtax: 501, ids: { 806: "auto-intender", 244: "auto-reader" } } },
              waitMs: 200,
            },
          },
        ],
      },
    });
    pbjs.addAdUnits([
      {
        code: "ad-top",
        mediaTypes: { banner: { sizes: [[300, 250]] } },
        bids: [
          { bidder: "alpha", params: {} },
          { bidder: "beta", params: {} },
        ],
      },
    ]);
  });
  const showAuction = (ms) => {
    const received = Object.entries(window.udnBidders || {}).map(([bidder, [first]]) => {
      const data = (first.ortb2.user?.data || []).map(
        (d) => `  ${d.name} segtax ${d.ext?.segtax ?? "-"}: ${d.segment.map((x) => x.id).join(", ")}`,
      );
      // Our eid's atype: 1 for a browser, 3 for a signed-in person.
      const eids = (first.ortb2.user?.ext?.eids || []).map((e) => `${e.source} (atype ${e.uids[0]?.atype ?? "-"})`);
      return `${bidder}:\n${data.length ? data.join("\n") : "  (no user.data)"}\n  eids: ${eids.join(", ") || "none"}`;
    });
    $("bidders").textContent = received.join("\n") || "no bids requested";
    const kv = pbjs.getAdserverTargeting()["ad-top"] || {};
    $("gam").textContent =
      Object.entries(kv)
        .map(([k, v]) => `${k}=${v}`)
        .join("\n") || "none";
    $("auction-result").textContent = `auction done in ${Math.round(ms)} ms`;
  };
  const auction = () =>
    pbjs.que.push(() => {
      window.udnBidders = {};
      const started = performance.now();
      pbjs.requestBids({ timeout: 1000, bidsBackHandler: () => showAuction(performance.now() - started) });
    });
  $("auction").addEventListener("click", auction);
  // A new profile (the user's own events, answered by the edge) is what the next auction uses.
  let pending;
  addEventListener("udn:profile", () => {
    clearTimeout(pending);
    pending = setTimeout(auction, 100);
  });

  udn.push(["track", "view", { category: "news", url: location.pathname }]);
  refresh();
  auction();
  // The tag answers from its one profile per page view: asking again costs no request.
  setInterval(refresh, 3000);
})();
