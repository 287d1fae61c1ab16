// Reads a text/event-stream body in chunks and yields the `data:` payload of each event. Written here
// because EventSource cannot be used on Electron's app:// scheme nor send headers, while fetch can stream
// both transports; the format (blank-line separated events, multi-line data joined by \n) is tiny.

export class SseParser {
  private buffer = '';

  /** Feeds a decoded chunk; returns the data of each event completed by it. */
  push(chunk: string): string[] {
    this.buffer += chunk.replace(/\r\n?/g, '\n');
    const events: string[] = [];
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''));
      if (data.length) events.push(data.join('\n'));
    }
    return events;
  }
}
