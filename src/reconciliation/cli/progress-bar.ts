import type { ExportProgress } from '../statement.service';

/**
 * A one-line progress bar on a terminal (redrawn in place, at most every 100 ms); on a pipe or a log file, one line
 * per finished file instead, so the output stays readable.
 */
export class ProgressBar {
  private lastDraw = 0;
  private lastFilesDone = -1;

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly width = 30,
  ) {}

  update(progress: ExportProgress): void {
    const finished = progress.filesDone === progress.filesTotal;
    if (this.out.isTTY) {
      const now = Date.now();
      if (!finished && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      this.out.write(`\r${this.render(progress)}\x1b[K`);
      return;
    }
    if (progress.filesDone === this.lastFilesDone) return;
    this.lastFilesDone = progress.filesDone;
    this.out.write(`${this.render(progress)}\n`);
  }

  /** Ends the bar's line on a terminal. */
  done(): void {
    if (this.out.isTTY) this.out.write('\n');
  }

  render(progress: ExportProgress): string {
    const ratio =
      progress.filesDone === progress.filesTotal ? 1 : progress.rowsTotal > 0 ? Math.min(1, progress.rowsDone / progress.rowsTotal) : 0;
    const filled = Math.round(ratio * this.width);
    const percent = String(Math.floor(ratio * 100)).padStart(3, ' ');
    const current = progress.current && progress.filesDone < progress.filesTotal ? ` ${progress.current}` : '';
    return (
      `[${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}] ${percent}% ` +
      `${progress.rowsDone}/${progress.rowsTotal} lines, ${progress.filesDone}/${progress.filesTotal} files${current}`
    );
  }
}
