/** Finds record and slice boundaries in an NDJSON byte stream, chunk by chunk, without decoding or buffering it. */

/** A run of whole lines holding `records` records: bytes [offset, offset + length) of the stream. */
export interface Span {
  offset: number;
  length: number;
  records: number;
}

/** The part's bytes are not NDJSON we can slice; the part is rejected with this message. */
export class ScanError extends Error {
  override readonly name = "ScanError";
}

const NL = 10;

function isBlank(b: number): boolean {
  return b === 13 || b === 32 || b === 9;
}

/**
 * A record is a line with at least one byte other than space, tab or CR; blank lines are skipped
 * the same way by the slice reader, so both sides count alike.
 */
export class PartScanner {
  /** Records seen so far. */
  records = 0;
  /** Bytes seen so far. */
  bytes = 0;
  private spanStart = 0;
  private spanRecords = 0;
  private lineBytes = 0;
  private lineHasContent = false;

  constructor(
    private readonly perSlice: number,
    private readonly maxLine: number,
  ) {}

  /** @returns the spans that end inside this chunk */
  push(chunk: Uint8Array): Span[] {
    const out: Span[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(NL, pos);
      const end = nl < 0 ? chunk.length : nl;
      if (!this.lineHasContent) {
        for (let i = pos; i < end; i++) {
          if (!isBlank(chunk[i]!)) {
            this.lineHasContent = true;
            break;
          }
        }
      }
      this.lineBytes += end - pos;
      if (this.lineBytes > this.maxLine) throw new ScanError(`record ${this.records + 1} is longer than ${this.maxLine} bytes`);
      if (nl < 0) break;
      pos = nl + 1;
      this.endLine();
      if (this.spanRecords === this.perSlice) out.push(this.cut(this.bytes + pos));
    }
    this.bytes += chunk.length;
    return out;
  }

  /** @returns the last span, if records remain after the last full one */
  end(): Span[] {
    this.endLine();
    return this.spanRecords > 0 ? [this.cut(this.bytes)] : [];
  }

  private endLine(): void {
    if (this.lineHasContent) {
      this.records++;
      this.spanRecords++;
    }
    this.lineHasContent = false;
    this.lineBytes = 0;
  }

  private cut(at: number): Span {
    const span = { offset: this.spanStart, length: at - this.spanStart, records: this.spanRecords };
    this.spanStart = at;
    this.spanRecords = 0;
    return span;
  }
}
