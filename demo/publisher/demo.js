// The demo page's own script. Like a publisher's, it talks only to the tag (window.udn) and to GPT's queue.
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
  $("optout").addEventListener("click", () =>
    udn.push((u) =>
      u.optout().then((ok) => ($("optout-result").textContent = ok ? "opted out: this browser's id and data are gone" : "opt-out failed")),
    ),
  );

  udn.push(["track", "view", { category: "news", url: location.pathname }]);
  refresh();
  setInterval(refresh, 3000);
})();
