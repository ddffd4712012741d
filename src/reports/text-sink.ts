/** Where a streamed report goes: text in order, piece by piece. */
export interface TextSink {
  write(text: string): void;
}

/** Collects a report into one string (the in-memory renderers are the streamed writers into this). */
export function stringSink(): TextSink & { text(): string } {
  const parts: string[] = [];
  return { write: (t) => void parts.push(t), text: () => parts.join('') };
}

const CHUNK = 1 << 20;

/**
 * Encodes the pieces (a row each) straight into a 1 MiB UTF-8 buffer and hands on full buffers: a million rows are
 * a few hundred writes. Measured: joining the row strings first costs four times as much, because V8 must flatten
 * every row's tree of concatenated pieces into a new string before encoding it anyway. `flush` gets a view of
 * the buffer, valid only until it returns.
 */
export function byteSink(flush: (bytes: Uint8Array) => void): TextSink & { end(): void } {
  const buffer = Buffer.allocUnsafe(CHUNK);
  let used = 0;
  return {
    write(t) {
      // At most 3 bytes per UTF-16 code unit.
      if (used + t.length * 3 > CHUNK) {
        if (used > 0) flush(buffer.subarray(0, used));
        used = 0;
        if (t.length * 3 > CHUNK) {
          flush(Buffer.from(t, 'utf8'));
          return;
        }
      }
      used += buffer.write(t, used, 'utf8');
    },
    end() {
      if (used > 0) flush(buffer.subarray(0, used));
      used = 0;
    },
  };
}
