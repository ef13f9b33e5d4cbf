// A text/event-stream parser for the console's live logs (the WHATWG "Server-sent
// events" steps that matter: fields, comments, CR / LF / CRLF line ends). The
// stream is read with fetch(), not EventSource, because only fetch can send the
// admin's Authorization header.

export class EventStreamParser {
  #buffer = '';
  #id = undefined;
  #event = 'message';
  #data = [];

  /** Feed text as it arrives; returns the events it completed: { id?, event, data }. */
  push(text) {
    this.#buffer += text;
    const out = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.#buffer);
      // A CR at the very end may be half of a CRLF: wait for the next chunk.
      if (!match || (match[0] === '\r' && match.index === this.#buffer.length - 1)) break;
      const line = this.#buffer.slice(0, match.index);
      this.#buffer = this.#buffer.slice(match.index + match[0].length);
      const message = this.#line(line);
      if (message) out.push(message);
    }
    return out;
  }

  #line(line) {
    if (line === '') {
      const message = this.#data.length > 0 ? { ...(this.#id !== undefined ? { id: this.#id } : {}), event: this.#event, data: this.#data.join('\n') } : null;
      this.#event = 'message';
      this.#data = [];
      return message;
    }
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
    return null;
  }
}
