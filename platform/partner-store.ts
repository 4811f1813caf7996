/** Central store of the partners we sync ids with (in KV, `cfg:partners`), compiled once per version and kept in the isolate for a short while. */
import { compilePartners, NO_PARTNERS } from "../domain/identity/partners";
import { configDocument } from "./config-document";

export const partnerStore = configDocument("cfg:partners", compilePartners, NO_PARTNERS);

export const loadPartnerDocument = partnerStore.load;
/** The current partners, at once whenever this isolate holds them (see ConfigDocument.current). */
export const partnerConfig = partnerStore.current;
export const savePartnerDocument = partnerStore.save;
export const forgetPartners = partnerStore.forget;
