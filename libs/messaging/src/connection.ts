interface Connectable {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * A kafkajs client connected on first use and again after a failed attempt. Services start (and
 * keep serving reads) while Kafka is down; the outbox relay and readiness simply retry.
 */
export class LazyConnection<T extends Connectable> {
  private connecting: Promise<T> | undefined;
  private closed = false;

  constructor(readonly client: T) {}

  get(): Promise<T> {
    if (this.closed) return Promise.reject(new Error('Kafka client is closed'));
    this.connecting ??= this.client.connect().then(
      () => this.client,
      (error: unknown) => {
        this.connecting = undefined;
        throw error;
      },
    );
    return this.connecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.connecting;
    this.connecting = undefined;
    if (!pending) return;
    const connected = await pending.then(
      () => true,
      () => false,
    );
    if (connected) await this.client.disconnect();
  }
}
