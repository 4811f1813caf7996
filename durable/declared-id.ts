/** One Durable Object per declared id (a hashed e-mail, a publisher's id): the uid of its person, minted once, and its tombstone. */
import { DurableObject } from "cloudflare:workers";
import { newUid } from "../domain/ids";
import { userProfile } from "../platform/stubs";
import { retentionSeconds } from "./retention";

interface Stored {
  /** The person's uid: every browser declaring this id joins that profile. */
  person: string;
  /** When the person was erased (0 = never): until the retention passes, the id joins nobody. */
  erasedAt: number;
}

const KEY = "declared";

export class DeclaredId extends DurableObject<Env> {
  /** The object's clock; tests replace it to move time forward. */
  now: () => number = Date.now;

  /**
   * The person's uid, minted by the first browser that declares the id; null once the person was erased. Each claim
   * keeps the id for another retention period.
   */
  async claim(): Promise<string | null> {
    const retentionMs = retentionSeconds(this.env) * 1000;
    const stored = (await this.ctx.storage.get<Stored>(KEY)) ?? { person: newUid(), erasedAt: 0 };
    if (stored.erasedAt) return null;
    await this.ctx.storage.put(KEY, stored);
    await this.ctx.storage.setAlarm(this.now() + retentionMs);
    return stored.person;
  }

  /** Keeps only a tombstone: a later declaration of this id brings nobody back, and mints no one new. */
  async erase(): Promise<void> {
    const retentionMs = retentionSeconds(this.env) * 1000;
    const stored = await this.ctx.storage.get<Stored>(KEY);
    if (stored?.erasedAt) return;
    const now = this.now();
    await this.ctx.storage.put(KEY, { person: "", erasedAt: now } satisfies Stored);
    await this.ctx.storage.setAlarm(now + retentionMs);
  }

  /**
   * A retention period without a declaration (or since the erasure): the id is forgotten, unless its person was
   * active since, through any of its browsers; then it lasts as long as the person does. A person's object that
   * cannot be reached throws, and the runtime retries the alarm: the id is never forgotten while its person lives.
   */
  override async alarm(): Promise<void> {
    const stored = await this.ctx.storage.get<Stored>(KEY);
    if (stored?.person && !stored.erasedAt) {
      const until = await userProfile(this.env, stored.person).activeUntil();
      if (until > this.now()) {
        await this.ctx.storage.setAlarm(until);
        return;
      }
    }
    await this.ctx.storage.deleteAll();
  }
}
