/**
 * A one-line progress bar on a terminal (stderr), redrawn at most ten times a second. Silent when stderr is
 * not a TTY, so logs and pipes stay clean.
 */
export class ProgressBar {
  readonly #total: number;
  readonly #stream: NodeJS.WriteStream;
  readonly #enabled: boolean;
  #last = 0;

  constructor(total: number, stream: NodeJS.WriteStream = process.stderr) {
    this.#total = total;
    this.#stream = stream;
    this.#enabled = Boolean(stream.isTTY) && total > 0;
  }

  update(done: number, label: string): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (now - this.#last < 100 && done < this.#total) return;
    this.#last = now;
    const ratio = Math.min(1, done / this.#total);
    const width = 30;
    const filled = Math.round(ratio * width);
    this.#stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ${label}\x1b[K`);
  }

  done(): void {
    if (this.#enabled) this.#stream.write('\r\x1b[K');
  }
}
