/**
 * Sends a few real orders through the fresh platform and waits for their confirmation, so every
 * path (connection pools, Kafka producers and consumer groups, JIT) is warm before the suites
 * assert on it — a cold first burst of 50 orders would trip breakers on a two-core machine.
 */
export async function warmUp(gateway: string): Promise<void> {
  const api = (path: string, init: RequestInit = {}, token?: string) =>
    fetch(`${gateway}/api/v1${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(init.headers as Record<string, string> | undefined),
      },
      signal: AbortSignal.timeout(30_000),
    }).then(async (response) => ({
      status: response.status,
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON of our own API
      body: (await response.json()) as any,
    }));

  const login = await api('/auth/login', {
    method: 'POST',
    body: JSON.stringify({ email: 'demo@ordermesh.local', password: 'ordermesh-demo' }),
  });
  const token = login.body.accessToken as string;
  const products = await api('/products?category=books');
  const productId = products.body.items[0].id as string;
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const placed = await api(
      '/orders',
      {
        method: 'POST',
        headers: { 'idempotency-key': `warm-up-${Date.now()}-${i}` },
        body: JSON.stringify({ items: [{ productId, quantity: 1 }], paymentMethod: 'card' }),
      },
      token,
    );
    if (placed.status !== 201) throw new Error(`warm-up order: ${JSON.stringify(placed.body)}`);
    ids.push(placed.body.id as string);
  }
  const deadline = Date.now() + 60_000;
  for (const id of ids) {
    for (;;) {
      const order = await api(`/orders/${id}`, {}, token);
      if (order.body.status !== 'pending') break;
      if (Date.now() > deadline) throw new Error(`warm-up order ${id} did not complete`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
