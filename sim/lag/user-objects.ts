/**
 * The users' Durable Objects as far as replication goes: each holds the true profile version and publishes
 * a change to KV at most once per publish interval; changes inside that interval wait for the alarm
 * (as `UserProfile.publish` and `arm` do).
 */

export interface PublishSink {
  publish(user: number, version: number, now: number): void;
  alarm(user: number, at: number): void;
}

export class UserObjects {
  readonly truth: Int32Array;
  readonly published: Int32Array;
  private readonly publishedAt: Float64Array;
  private readonly alarmArmed: Uint8Array;

  constructor(
    users: number,
    initial: (user: number) => number,
    private readonly intervalMs: number,
    private readonly sink: PublishSink,
  ) {
    this.truth = Int32Array.from({ length: users }, (_, u) => initial(u));
    this.published = Int32Array.from(this.truth);
    this.publishedAt = new Float64Array(users).fill(-Infinity);
    this.alarmArmed = new Uint8Array(users);
  }

  /** The profile changed: a new version, published now or at the alarm. */
  change(user: number, now: number): number {
    const version = ++this.truth[user]!;
    this.settle(user, now);
    return version;
  }

  /** The alarm fired: publish what is pending. */
  alarm(user: number, now: number): void {
    this.alarmArmed[user] = 0;
    this.settle(user, now);
  }

  private settle(user: number, now: number): void {
    if (this.published[user] === this.truth[user]) return;
    const due = this.publishedAt[user]! + this.intervalMs;
    if (now >= due) {
      this.published[user] = this.truth[user]!;
      this.publishedAt[user] = now;
      this.sink.publish(user, this.truth[user]!, now);
    } else if (!this.alarmArmed[user]) {
      this.alarmArmed[user] = 1;
      this.sink.alarm(user, due);
    }
  }
}
