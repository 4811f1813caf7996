/** Where the browser tests find the Worker built for them. */

export const WORKER_NAME = "browser-test";
export const WORKER_SCRIPT = `dist/${WORKER_NAME}/index.js`;
