// A ValidateStream tap: exchanges go to statusd over one long-lived stream
// instead of one call each. statusd ends a stream after -read-timeout (30s by
// default) and after -stream-limit exchanges (10 000), so the tap ends its
// stream politely before either (reopenAfterMs, maxPerStream) and opens the
// next one on the next exchange. A stream that fails fails only the
// exchanges in flight on it.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ValidateRequestSchema, ValidateResponse, ValidateStreamRequest } from "./gen/statusd/v1/status_service_pb.js";
import { create } from "@bufbuild/protobuf";
import { ValidateStreamRequestSchema } from "./gen/statusd/v1/status_service_pb.js";
import type { StatusdClient } from "./client.js";

export interface ValidateStreamTapOptions {
  /** End a stream this long after it opened (default 20 000 ms, under statusd's default -read-timeout of 30s). */
  reopenAfterMs?: number;
  /** End a stream after this many exchanges (default 5 000, under statusd's default -stream-limit of 10 000). */
  maxPerStream?: number;
  /** Exchanges waiting for a verdict, at most (default 1 000); send rejects beyond. */
  maxPending?: number;
}

export interface ValidateStreamTap {
  /** Sends one exchange; resolves to its verdict. */
  send(request: MessageInitShape<typeof ValidateRequestSchema>): Promise<ValidateResponse>;
  /** Streams opened so far (for tests and metrics). */
  readonly opened: number;
  /** Ends the current stream and waits for its verdicts. */
  close(): Promise<void>;
}

interface Waiter {
  resolve(r: ValidateResponse): void;
  reject(e: unknown): void;
}

/** An async iterable fed by push, ended by end. */
class Queue implements AsyncIterable<ValidateStreamRequest> {
  private items: ValidateStreamRequest[] = [];
  private wake?: () => void;
  private ended = false;
  push(item: ValidateStreamRequest) {
    this.items.push(item);
    this.wake?.();
  }
  end() {
    this.ended = true;
    this.wake?.();
  }
  async *[Symbol.asyncIterator]() {
    for (;;) {
      const item = this.items.shift();
      if (item) {
        yield item;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((ok) => (this.wake = ok));
      this.wake = undefined;
    }
  }
}

interface Stream {
  queue: Queue;
  waiters: Waiter[];
  sent: number;
  done: Promise<void>;
  timer: NodeJS.Timeout;
}

export function createValidateStreamTap(client: StatusdClient, options: ValidateStreamTapOptions = {}): ValidateStreamTap {
  const reopenAfterMs = options.reopenAfterMs ?? 20_000;
  const maxPerStream = options.maxPerStream ?? 5_000;
  const maxPending = options.maxPending ?? 1_000;
  let current: Stream | undefined;
  let pending = 0;
  let opened = 0;
  const open = (): Stream => {
    const queue = new Queue();
    const waiters: Waiter[] = [];
    const stream: Stream = { queue, waiters, sent: 0, done: Promise.resolve(), timer: setTimeout(() => retire(stream), reopenAfterMs) };
    stream.timer.unref();
    opened++;
    stream.done = (async () => {
      try {
        for await (const res of client.validateStream(queue)) {
          waiters.shift()?.resolve(res.result!);
        }
        for (const w of waiters.splice(0)) w.reject(new Error("statusd ended the ValidateStream early"));
      } catch (e) {
        for (const w of waiters.splice(0)) w.reject(e);
      } finally {
        retire(stream);
      }
    })();
    return stream;
  };
  const retire = (stream: Stream) => {
    clearTimeout(stream.timer);
    stream.queue.end();
    if (current === stream) current = undefined;
  };
  return {
    get opened() {
      return opened;
    },
    send(request) {
      if (pending >= maxPending) return Promise.reject(new Error(`ValidateStream tap: ${maxPending} exchanges already waiting`));
      if (!current || current.sent >= maxPerStream) {
        if (current) retire(current);
        current = open();
      }
      const stream = current;
      stream.sent++;
      pending++;
      return new Promise<ValidateResponse>((resolve, reject) => {
        stream.waiters.push({ resolve, reject });
        stream.queue.push(create(ValidateStreamRequestSchema, { request }));
      }).finally(() => pending--);
    },
    async close() {
      const stream = current;
      if (stream) {
        retire(stream);
        await stream.done;
      }
    },
  };
}
