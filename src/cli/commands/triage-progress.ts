// Owns the one-line progress bar the CLI draws on stderr: redrawn in place on a terminal, a plain line per
// change of stage otherwise (so logs and CI output stay readable). Carries no patient data.
export class ProgressLine {
  private lastLabel = '';
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(label: string, fraction: number): void {
    const percent = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
    if (this.stream.isTTY) {
      const width = 24;
      const filled = Math.round((percent / 100) * width);
      this.stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}%\x1b[K`);
      this.drawn = true;
    } else if (label !== this.lastLabel) {
      this.stream.write(`${label}…\n`);
    }
    this.lastLabel = label;
  }

  clear(): void {
    if (this.drawn && this.stream.isTTY) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
