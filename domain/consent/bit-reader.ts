/** A cursor over the bits of a base64url text (TC strings, GPP sections), most significant bit first. */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** Character code → its six bits, -1 outside base64url. */
const SEXTET = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) SEXTET[ALPHABET.charCodeAt(i)] = i;

/** Thrown by a read past the last bit; the readers turn it into a verdict, so it never leaves them. */
export class Truncated extends Error {
  override readonly name = "Truncated";
}

export class BitReader {
  /** Successful reads by every reader in this isolate (each takes a bit or more): the tests hold a decision's share to the bit length of what it read. */
  static steps = 0;
  private pos = 0;

  private constructor(
    private readonly sextets: Uint8Array,
    readonly length: number,
  ) {}

  /** undefined when `text` holds a character outside base64url (padding included). */
  static from(text: string): BitReader | undefined {
    const sextets = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const v = SEXTET[text.charCodeAt(i)] ?? -1;
      if (v < 0) return undefined;
      sextets[i] = v;
    }
    return new BitReader(sextets, text.length * 6);
  }

  get remaining(): number {
    return this.length - this.pos;
  }

  /** The bit at `offset` from the cursor, without moving it; 0 past the end (callers check `remaining` first). */
  peek(offset: number): number {
    const i = this.pos + offset;
    if (i >= this.length) return 0;
    const q = (i / 6) | 0;
    return (this.sextets[q]! >> (5 - (i - q * 6))) & 1;
  }

  /** An unsigned integer of `n` bits (n ≤ 48: exact in a double). */
  read(n: number): number {
    if (n > this.remaining) throw new Truncated();
    BitReader.steps++;
    let v = 0;
    for (let k = 0; k < n; k++) v = v * 2 + this.peek(k);
    this.pos += n;
    return v;
  }

  skip(n: number): void {
    if (n > this.remaining) throw new Truncated();
    this.pos += n;
  }

  /** A Fibonacci code word (GPP): bits weigh 1, 2, 3, 5, 8, … and the word ends at the first "11". */
  fibonacci(): number {
    let value = 0;
    let [weight, next] = [1, 2];
    let previous = 0;
    for (;;) {
      const bit = this.read(1);
      if (bit === 1 && previous === 1) return value;
      if (bit === 1) value += weight;
      [weight, next] = [next, weight + next];
      previous = bit;
    }
  }
}
