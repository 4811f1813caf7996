/** Central store of the context rules (in KV, `cfg:context`), compiled once per version and kept in the isolate for a short while. */
import { compileContextRules, NO_CONTEXT_RULES } from "../domain/context/compile";
import { configDocument } from "./config-document";

export const contextStore = configDocument("cfg:context", compileContextRules, NO_CONTEXT_RULES);

export const loadContextDocument = contextStore.load;
/** The current rules, at once whenever this isolate holds some (see ConfigDocument.current). */
export const contextRules = contextStore.current;
export const saveContextDocument = contextStore.save;
export const forgetContextRules = contextStore.forget;
