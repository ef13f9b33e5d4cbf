// Follow mode of the Logs tab: a service's output streamed from
// /api/v1/services/{name}/logs/stream (Server-Sent Events read with fetch() and a
// ReadableStream, since EventSource cannot send the Authorization header). A
// dropped stream (network, gateway restart, its `end` event at shutdown) is opened
// again after a growing delay; each opening starts with the last lines again, so
// the view is rebuilt rather than patched. Only when streaming does not work at
// all (no streaming fetch in this browser, or several openings in a row refused or
// failed before a single event) does the caller fall back to polling.
import { EventStreamParser } from './event-stream.js';

export const BACKLOG_LINES = 200;
/** Lines kept on screen while following; older ones scroll away. */
export const MAX_SHOWN = 2000;
const RETRY_MS = [1000, 2000, 4000, 8000, 15000];
/** Openings in a row that fail before any event: streaming is declared unavailable. */
const FAILURES_BEFORE_FALLBACK = 3;

export const streamingSupported = () => typeof ReadableStream !== 'undefined' && typeof TextDecoder !== 'undefined' && 'body' in Response.prototype;

export class LogFollower {
  #options;
  #abort = null;
  #timer = null;
  #service = null;
  #failures = 0;
  #attempt = 0;

  /**
   * options: token() → the bearer token; onReset(), onEntries(entries), onSkipped(count):
   * the view; onState(text): what the follow mode is doing; onAuthError(status, detail):
   * 401/403; onUnavailable(reason): streaming does not work here, poll instead.
   */
  constructor(options) {
    this.#options = options;
  }

  get service() {
    return this.#service;
  }

  start(service) {
    this.stop();
    this.#service = service;
    this.#failures = 0;
    this.#attempt = 0;
    if (!streamingSupported()) return this.#options.onUnavailable('this browser cannot read a streamed response');
    void this.#open();
  }

  stop() {
    this.#service = null;
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#abort?.abort();
    this.#abort = null;
  }

  async #open() {
    const service = this.#service;
    const abort = new AbortController();
    this.#abort = abort;
    this.#options.onState('connecting…');
    let gotEvent = false;
    let why = 'the stream ended';
    try {
      const headers = { accept: 'text/event-stream', authorization: `Bearer ${this.#options.token()}` };
      const response = await fetch(`/api/v1/services/${encodeURIComponent(service)}/logs/stream?lines=${BACKLOG_LINES}`, { headers, signal: abort.signal, cache: 'no-store' });
      if (!response.ok) {
        const detail = await response.json().then((body) => body?.detail, () => null);
        if (response.status === 401 || response.status === 403) return this.#options.onAuthError(response.status, detail ?? response.statusText);
        why = `${response.status} ${detail ?? response.statusText}`;
        // An unknown service will not appear by retrying.
        if (response.status === 404) return this.#options.onState(why);
      } else {
        this.#options.onState('live');
        // Every opening starts with the last lines: the view is drawn afresh.
        this.#options.onReset();
        const parser = new EventStreamParser();
        const decoder = new TextDecoder();
        const reader = response.body.getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const entries = [];
          for (const message of parser.push(decoder.decode(value, { stream: true }))) {
            gotEvent = true;
            if (message.event === 'message') entries.push(JSON.parse(message.data));
            else if (message.event === 'skipped') {
              this.#options.onEntries(entries.splice(0));
              this.#options.onSkipped(JSON.parse(message.data).skipped);
            } else if (message.event === 'end') why = 'the gateway is shutting down';
          }
          if (entries.length > 0) this.#options.onEntries(entries);
        }
      }
    } catch (error) {
      if (abort.signal.aborted) return;
      why = error.message;
    }
    if (abort.signal.aborted || this.#service !== service) return;
    this.#retry(gotEvent, why);
  }

  #retry(gotEvent, why) {
    if (gotEvent) {
      this.#failures = 0;
      this.#attempt = 0;
    } else if (++this.#failures >= FAILURES_BEFORE_FALLBACK) {
      const service = this.#service;
      this.stop();
      this.#service = service;
      return this.#options.onUnavailable(why);
    }
    const delay = RETRY_MS[Math.min(this.#attempt++, RETRY_MS.length - 1)];
    this.#options.onState(`${why}; reconnecting in ${Math.round(delay / 1000)} s`);
    this.#timer = setTimeout(() => void this.#open(), delay);
  }
}
