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

/** Where slices end, and the bounds a part's bytes must keep. */
export interface PartScannerOptions {
  /** Records per slice. */
  records: number;
  /** A slice with records ends at the first line end at or past this many bytes. */
  bytes: number;
  /** A longer line rejects the part. */
  maxLine: number;
  /** More bytes of blank lines in a row reject the part. */
  maxBlankRun: number;
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
  /** Bytes of the blank lines since the last record, newlines included. */
  private blankRun = 0;

  constructor(private readonly opts: PartScannerOptions) {}

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
      const { maxLine, maxBlankRun } = this.opts;
      if (this.lineBytes > maxLine) throw new ScanError(`record ${this.records + 1} is longer than ${maxLine} bytes`);
      if (!this.lineHasContent && this.blankRun + this.lineBytes + (nl < 0 ? 0 : 1) > maxBlankRun) {
        throw new ScanError(`blank lines after record ${this.records} add up to more than ${maxBlankRun} bytes`);
      }
      if (nl < 0) break;
      pos = nl + 1;
      this.endLine();
      const at = this.bytes + pos;
      if (this.spanRecords === this.opts.records || (this.spanRecords > 0 && at - this.spanStart >= this.opts.bytes))
        out.push(this.cut(at));
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
      this.blankRun = 0;
    } else {
      this.blankRun += this.lineBytes + 1;
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
