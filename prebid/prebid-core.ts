/**
 * The parts of Prebid's core a module from outside its repository registers with. They are not in the
 * package's `exports`, so they are reached by path; bundled with Prebid, they are the same modules its
 * rtdModule uses (one hook registry, one storage manager).
 */
export { MODULE_TYPE_RTD } from "../node_modules/prebid.js/dist/src/src/activities/modules.js";
export { submodule } from "../node_modules/prebid.js/dist/src/src/hook.js";
export { getStorageManager } from "../node_modules/prebid.js/dist/src/src/storageManager.js";
