/** Writes fields bit by bit into base64url, for consent strings no library would build (huge ranges, lying counts). */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

export class BitWriter {
  private bits: string[] = [];

  get length(): number {
    return this.bits.length;
  }

  /** An unsigned integer in `n` bits. */
  int(value: number, n: number): this {
    for (let k = n - 1; k >= 0; k--) this.bits.push(Math.floor(value / 2 ** k) % 2 ? "1" : "0");
    return this;
  }

  /** A Fibonacci code word (GPP): the Zeckendorf bits of `value` (weights 1, 2, 3, 5, …), then a closing 1. */
  fibonacci(value: number): this {
    const weights = [1, 2];
    while (weights.at(-1)! + weights.at(-2)! <= value) weights.push(weights.at(-1)! + weights.at(-2)!);
    const word = weights.map(() => "0");
    for (let i = weights.length - 1, rest = value; i >= 0; i--) {
      if (weights[i]! <= rest) {
        word[i] = "1";
        rest -= weights[i]!;
      }
    }
    while (word.length > 1 && word.at(-1) === "0") word.pop();
    this.bits.push(...word, "1");
    return this;
  }

  /** The bits so far as base64url, zero-padded to whole characters. */
  toBase64Url(): string {
    let out = "";
    for (let i = 0; i < this.bits.length; i += 6)
      out +=
        ALPHABET[
          Number.parseInt(
            this.bits
              .slice(i, i + 6)
              .join("")
              .padEnd(6, "0"),
            2,
          )
        ];
    return out;
  }
}
