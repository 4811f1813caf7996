// Reads one workerd isolate's V8 heap over workerd's inspector (DevTools protocol), for the soak; the profiler drives it too.

const MIB = 1024 * 1024;
const mib = (bytes) => Math.round((bytes / MIB) * 100) / 100;

/**
 * Connects to the inspector target of one worker (`core:user:<name>`; workerd lists them at /json).
 * @param {number} port workerd's inspector port
 * @param {string} worker the worker's name
 * @param {() => Promise<unknown>} poke sends the worker one cheap request (see `heap`)
 */
export async function connectIsolate(port, worker, poke) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const target = targets.find((t) => t.id === `core:user:${worker}`);
  if (!target) throw new Error(`no inspector target for worker ${worker}: ${targets.map((t) => t.id).join(", ")}`);
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error(`inspector ${target.webSocketDebuggerUrl} refused the connection`));
  });
  let nextId = 0;
  const waiting = new Map();
  ws.onmessage = (m) => {
    const reply = JSON.parse(String(m.data));
    const settle = waiting.get(reply.id);
    if (!settle) return;
    waiting.delete(reply.id);
    settle(reply);
  };
  const call = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      waiting.set(id, (r) => (r.error ? reject(new Error(`${method}: ${r.error.message}`)) : resolve(r.result)));
      ws.send(JSON.stringify({ id, method, params }));
    });

  return {
    /** A DevTools protocol call on the isolate (the profiler uses Profiler.*). */
    call,
    /**
     * The heap after a full collection, so the figure is what the isolate still holds, not garbage.
     * workerd runs the collection as a task of the isolate, that is when the isolate next serves
     * something: an idle isolate is poked until the collection answers.
     * @returns {Promise<{ used_mib: number, total_mib: number, embedder_mib: number, backing_mib: number }>}
     */
    async heap() {
      let collected = false;
      const gc = call("HeapProfiler.collectGarbage").then(() => (collected = true));
      for (let i = 0; !collected; i++) {
        if (i === 100) throw new Error("the isolate did not collect garbage within 100 pokes");
        await Promise.race([gc, poke().then(() => new Promise((r) => setTimeout(r, 20)))]);
      }
      const u = await call("Runtime.getHeapUsage");
      // used/total: V8's JS heap; embedder: objects the runtime allocates for the script (cppgc);
      // backing: ArrayBuffer contents.
      return {
        used_mib: mib(u.usedSize),
        total_mib: mib(u.totalSize),
        embedder_mib: mib(u.embedderHeapUsedSize ?? 0),
        backing_mib: mib(u.backingStorageSize ?? 0),
      };
    },
    close: () => ws.close(),
  };
}
