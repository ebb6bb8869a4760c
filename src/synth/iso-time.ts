/**
 * Formats epoch milliseconds like `Date.prototype.toISOString` (`2025-01-06T00:00:00.000Z`), caching the text up
 * to the minute: the simulation formats two timestamps per record, nearly always in the same minute as the last.
 */
export class IsoTimeFormatter {
  #minute = Number.NaN;
  #prefix = '';

  format(ms: number): string {
    const minute = Math.floor(ms / 60_000);
    if (minute !== this.#minute || !Number.isInteger(ms)) {
      if (!Number.isInteger(ms)) return new Date(ms).toISOString();
      this.#minute = minute;
      this.#prefix = new Date(minute * 60_000).toISOString().slice(0, 17);
    }
    const rest = ms - minute * 60_000;
    const sec = Math.floor(rest / 1000);
    const milli = rest - sec * 1000;
    return this.#prefix + (sec < 10 ? '0' : '') + sec + (milli < 10 ? '.00' : milli < 100 ? '.0' : '.') + milli + 'Z';
  }
}
