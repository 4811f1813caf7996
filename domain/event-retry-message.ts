/** A message of the event-retry queue: events the edge could not hand to their user's object at once. */
import type { UdnEvent } from "./event-input";

export interface EventRetryMessage {
  uid: string;
  events: UdnEvent[];
}
