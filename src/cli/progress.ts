// The download progress bar shown on stderr (when it is a terminal) while `-o FILE` writes.
//
// One line, redrawn in place with "\r" at most ten times a second:
//   [##########..........]  50%  1.2 MiB / 2.4 MiB  3.1 MiB/s  ETA 0:01
// Without a content-length the bar and ETA are left out. `finish` draws the final state
// and ends the line.

/** Human-readable byte count: 512 B, 1.5 KiB, 3.2 MiB, 1.0 GiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** Seconds as m:ss (or h:mm:ss). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** The progress line for `received` bytes of `total` (undefined when unknown) after `elapsedMs`. */
export function progressLine(received: number, total: number | undefined, elapsedMs: number, width = 20): string {
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? received / seconds : 0;
  const rateText = `${formatBytes(Math.round(rate))}/s`;
  if (total === undefined || total <= 0) return `${formatBytes(received)}  ${rateText}`;
  const fraction = Math.min(1, received / total);
  const filled = Math.round(fraction * width);
  const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const eta = rate > 0 ? formatDuration((total - received) / rate) : "--:--";
  return `${bar} ${percent}  ${formatBytes(received)} / ${formatBytes(total)}  ${rateText}  ETA ${eta}`;
}

/** A progress bar drawn on a terminal stream. */
export class ProgressBar {
  readonly #out: NodeJS.WriteStream;
  readonly #start = Date.now();
  #total: number | undefined;
  #received = 0;
  #lastDraw = 0;
  #lastLength = 0;

  constructor(out: NodeJS.WriteStream) {
    this.#out = out;
  }

  /** Set the expected size (from content-length) once it is known. */
  setTotal(total: number | undefined): void {
    this.#total = total;
  }

  /** Count `n` more bytes; redraws if the last draw is more than 100 ms old. */
  add(n: number): void {
    this.#received += n;
    const now = Date.now();
    if (now - this.#lastDraw >= 100) {
      this.#lastDraw = now;
      this.#draw(now);
    }
  }

  /** Draw the final state and end the line. */
  finish(): void {
    this.#draw(Date.now());
    this.#out.write("\n");
  }

  #draw(now: number): void {
    const line = progressLine(this.#received, this.#total, now - this.#start);
    const pad = this.#lastLength > line.length ? " ".repeat(this.#lastLength - line.length) : "";
    this.#lastLength = line.length;
    this.#out.write(`\r${line}${pad}`);
  }
}
