/** What a user's object holds in SQLite, read straight from its tables: the state row, the remembered ids, the alarm. */
import { runInDurableObject } from "cloudflare:test";
import type { ProfileState } from "../../durable/profile-state";
import { decodeState } from "../../durable/profile-state";
import type { UserProfile } from "../../durable/user-profile";

export interface ObjectStorage {
  /** The decoded state row, or null when there is none. */
  state: ProfileState | null;
  /** Every remembered event id, oldest day first. */
  seen: string[];
  /** Rows in all the object's tables. */
  rows: number;
  alarm: number | null;
}

export async function objectStorage(stub: DurableObjectStub<UserProfile>): Promise<ObjectStorage> {
  return runInDurableObject(stub, async (_o: UserProfile, state) => {
    const sql = state.storage.sql;
    const row = sql.exec<{ v: string }>("SELECT v FROM state").toArray()[0];
    const days = sql.exec<{ ids: string }>("SELECT ids FROM seen_days ORDER BY day").toArray();
    return {
      state: row ? decodeState(row.v) : null,
      seen: days.flatMap((d) => JSON.parse(d.ids) as string[]),
      rows: (row ? 1 : 0) + days.length,
      alarm: await state.storage.getAlarm(),
    };
  });
}
