// SyncQueue: sends autosave messages to the server in order, one in flight at a time,
// retrying with back-off on network errors and 503. It knows nothing of the page: it
// reports each answer through onResult(message, status, body) and its state through
// onState("sending" | "retrying" | "idle"). A persistent (offline) queue can later
// replace the in-memory array without touching the page.

const DELAYS = [1000, 2000, 4000, 8000, 15000, 30000];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class SyncQueue {
  constructor({ url, headers = {}, onResult = () => {}, onState = () => {} }) {
    this.url = url;
    this.headers = headers;
    this.onResult = onResult;
    this.onState = onState;
    this.messages = [];
    this.running = false;
  }

  enqueue(message) {
    this.messages.push(message);
    this.pump();
  }

  get size() {
    return this.messages.length;
  }

  async pump() {
    if (this.running) return;
    this.running = true;
    let attempt = 0;
    while (this.messages.length) {
      const message = this.messages[0];
      this.onState(attempt ? "retrying" : "sending");
      const answer = await this.send(message);
      if (answer === null) {
        await sleep(DELAYS[Math.min(attempt, DELAYS.length - 1)]);
        attempt += 1;
        continue;
      }
      attempt = 0;
      this.messages.shift();
      this.onResult(message, answer.status, answer.body);
    }
    this.running = false;
    this.onState("idle");
  }

  // {status, body} for an answer to report, or null when the send should be retried.
  async send(message) {
    let response;
    try {
      response = await fetch(this.url, {
        method: "POST", credentials: "same-origin", body: JSON.stringify(message),
        headers: { "Content-Type": "application/json", Accept: "application/json", ...this.headers },
      });
    } catch (error) {
      return null; // offline or connection dropped: the message ids make a resend safe
    }
    if (response.status === 503) return null;
    let body;
    try {
      body = await response.json();
    } catch (error) {
      body = { ok: false, error: `HTTP ${response.status}` };
    }
    return { status: response.status, body };
  }
}
