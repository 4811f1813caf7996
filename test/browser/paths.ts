/** Where the browser tests find Chromium and the Worker built for them. */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const WORKER_NAME = "browser-test";
export const WORKER_SCRIPT = `dist/${WORKER_NAME}/index.js`;
