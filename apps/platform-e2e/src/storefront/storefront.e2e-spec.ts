/**
 * The storefront in a real browser (Debian's Chromium driven by playwright-core) against the
 * real platform: a person browses, buys, watches the saga live, is declined, cancels, meets a
 * degraded product page, signs in and out, and cannot see someone else's order. Every page is
 * checked with axe-core and saved as a screenshot under results/storefront/.
 */
import { randomUUID } from 'node:crypto';
import { startComponent, stopComponent, waitFor, type ApiClient } from '@ordermesh/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { connection } from '../support/connection-env';
import { admin, anonymous, createProduct, type ProductView } from '../support/fixtures';
import { PAYMENT_TEST_CONTROLS } from '../order/order-support';
import { launchChromium, newPerson, screenshot, seriousAccessibilityViolations } from './browser';

const STOREFRONT = connection.services['storefront']!.http;
const SAGA_TIMEOUT_MS = 30_000;

interface Customer {
  email: string;
  password: string;
  name: string;
}

async function registerCustomer(name: string): Promise<Customer> {
  const customer = {
    email: `sf-${randomUUID()}@example.com`,
    password: `pw-${randomUUID()}`,
    name,
  };
  const registered = await anonymous().post('/api/v1/auth/register', customer);
  if (registered.status !== 201) throw new Error(`register: ${JSON.stringify(registered.body)}`);
  return customer;
}

async function signIn(page: Page, customer: Pick<Customer, 'email' | 'password'>) {
  await page.goto(`${STOREFRONT}/signin`);
  await page.getByLabel('Email').fill(customer.email);
  await page.getByLabel('Password').fill(customer.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${STOREFRONT}/`);
}

async function expectAccessible(page: Page) {
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
}

/** The saga log as the page shows it right now: `step:status` in order. */
function stepsOnPage(page: Page): Promise<string[]> {
  return page
    .locator('[data-testid=steps] li')
    .evaluateAll((items) =>
      items.map((li) => `${li.getAttribute('data-step')}:${li.getAttribute('data-status')}`),
    );
}

async function waitForStatus(page: Page, status: string) {
  await page
    .getByTestId('order-status')
    .filter({ hasText: status })
    .waitFor({ timeout: SAGA_TIMEOUT_MS });
}

/** Adds a product to the cart from its page and goes through checkout; returns the order page. */
async function buy(
  page: Page,
  product: ProductView,
  options: { quantity?: number; decline?: boolean } = {},
) {
  await page.goto(`${STOREFRONT}/products/${product.id}`);
  await page.getByLabel('Quantity').fill(String(options.quantity ?? 1));
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.getByRole('status').filter({ hasText: 'Added to your cart' }).waitFor();
  await page.goto(`${STOREFRONT}/checkout`);
  await page.getByLabel('Street and number').fill('1 Test Street');
  await page.getByLabel('Postal code').fill('10115');
  await page.getByLabel('City').fill('Berlin');
  if (options.decline) await page.getByTestId('decline').check();
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
  return page.url().split('/').at(-1)!;
}

describe('storefront (browser)', () => {
  let browser: Browser;
  let adminClient: ApiClient;
  const contexts: BrowserContext[] = [];

  const person = async (viewport?: { width: number; height: number }) => {
    const context = await newPerson(browser, viewport);
    contexts.push(context);
    return context.newPage();
  };

  beforeAll(async () => {
    browser = await launchChromium();
    adminClient = await admin();
  });

  afterEach(async () => {
    await Promise.allSettled(contexts.splice(0).map((context) => context.close()));
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('the API gives the pages what they need: search, category facets, the order’s trace id', async () => {
    const category = `sf-api-${randomUUID().slice(0, 8)}`;
    const lamp = await createProduct(adminClient, { stock: 2, amountMinor: 700, category });
    await createProduct(adminClient, { stock: 2, amountMinor: 700, category });
    type Page = { items: ProductView[]; categories: string[] };
    const word = lamp.name.split(' ').at(-1)!.toUpperCase();
    const found = await anonymous().get<Page>(`/api/v1/products?category=${category}&q=${word}`);
    expect(found.status).toBe(200);
    expect(found.body.items.map((p) => p.id)).toEqual([lamp.id]);
    expect(found.body.categories).toContain(category);
    // The search text is matched literally, not as a pattern.
    const literal = await anonymous().get<Page>(`/api/v1/products?category=${category}&q=.*`);
    expect(literal.body.items).toEqual([]);
    const tooLong = await anonymous().get(`/api/v1/products?q=${'x'.repeat(101)}`);
    expect(tooLong.status).toBe(400);

    const { client } = await anonymous().newCustomer();
    const traceId = randomUUID().replace(/-/g, '');
    const placed = await client.request<{ id: string; traceId: string }>('POST', '/api/v1/orders', {
      body: { items: [{ productId: lamp.id, quantity: 1 }], paymentMethod: 'card' },
      headers: {
        'idempotency-key': `sf-${randomUUID()}`,
        traceparent: `00-${traceId}-${randomUUID().replace(/-/g, '').slice(0, 16)}-01`,
      },
    });
    expect(placed).toMatchObject({ status: 201, body: { traceId } });
    expect(
      (await client.get<{ traceId: string }>(`/api/v1/orders/${placed.body.id}`)).body.traceId,
    ).toBe(traceId);
  });

  it('registers, signs in and out', async () => {
    const page = await person();
    const email = `sf-${randomUUID()}@example.com`;
    await page.goto(`${STOREFRONT}/register`);
    await expectAccessible(page);
    await screenshot(page, 'register');
    await page.getByLabel('Name').fill('Ada Browser');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel(/^Password/).fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Your account is ready').waitFor();
    await expect(page.getByLabel('Email').inputValue()).resolves.toBe(email);

    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'do not match' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'signin');

    await signIn(page, { email, password: 'correct horse battery' });
    await expect(page.getByTestId('signout').textContent()).resolves.toContain('Ada Browser');
    // The session survives a reload; pages that need it are reachable.
    await page.reload();
    await page.goto(`${STOREFRONT}/orders`);
    await page.getByRole('heading', { name: 'My orders' }).waitFor();

    await page.getByTestId('signout').click();
    await page.getByRole('link', { name: 'Sign in' }).waitFor();
    await page.goto(`${STOREFRONT}/orders`);
    expect(new URL(page.url()).pathname).toBe('/signin');
  });

  it('browse → product → cart → checkout → the saga live until CONFIRMED', async () => {
    const category = `sf-${randomUUID().slice(0, 8)}`;
    const product = await createProduct(adminClient, {
      stock: 10,
      amountMinor: 2500,
      discountBps: 2000,
      category,
    });
    await createProduct(adminClient, { stock: 3, amountMinor: 900, category });
    const customer = await registerCustomer('Grace Browser');
    const page = await person();
    await signIn(page, customer);

    // Catalogue: the category facet, then a search.
    await page.goto(`${STOREFRONT}/?category=${category}`);
    await expect(page.locator('.grid-cards > li').count()).resolves.toBe(2);
    await page.getByLabel('Search products').fill(product.name);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.locator('.grid-cards > li').count()).resolves.toBe(1);
    await expectAccessible(page);
    await screenshot(page, 'catalogue');

    // Product page: discounted price and stock.
    await page.getByRole('link', { name: product.name }).click();
    await expect(page.getByTestId('price').textContent()).resolves.toContain('€20.00');
    await expect(page.getByTestId('discount').textContent()).resolves.toContain('20 %');
    await expect(page.getByTestId('stock').textContent()).resolves.toContain('10 available');
    await expectAccessible(page);
    await screenshot(page, 'product');

    // Cart: kept across a reload.
    await page.getByLabel('Quantity').fill('2');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByRole('status').filter({ hasText: 'Added to your cart' }).waitFor();
    await page.goto(`${STOREFRONT}/cart`);
    await page.reload();
    await expect(page.getByTestId('cart-total').textContent()).resolves.toContain('€40.00');
    await expect(page.getByTestId('cart-count').textContent()).resolves.toBe('2');
    await expectAccessible(page);
    await screenshot(page, 'cart');

    // Checkout.
    await page.getByRole('button', { name: 'Checkout' }).click();
    await page.getByLabel('Street and number').fill('1 Test Street');
    await page.getByLabel('Postal code').fill('10115');
    await page.getByLabel('City').fill('Berlin');
    await page.getByLabel('PayPal').check();
    await expectAccessible(page);
    await screenshot(page, 'checkout');
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
    const orderId = page.url().split('/').at(-1)!;

    // The order page follows the saga through server-sent events to CONFIRMED.
    await waitForStatus(page, 'CONFIRMED');
    // What the panel shows came (also) through the live stream, not only with the page.
    await page.locator('#saga[data-updates]').waitFor({ timeout: SAGA_TIMEOUT_MS });
    const steps = await stepsOnPage(page);
    for (const step of ['reserve_stock', 'authorize_payment', 'commit_stock', 'capture_payment']) {
      expect(steps).toContain(`${step}:succeeded`);
    }
    const traceLink = page.getByTestId('trace-link');
    const order = (
      await anonymous()
        .withToken(await tokenOf(customer))
        .get<{ traceId: string }>(`/api/v1/orders/${orderId}`)
    ).body;
    expect(order.traceId).toMatch(/^[0-9a-f]{32}$/);
    await expect(traceLink.getAttribute('href')).resolves.toContain(order.traceId);
    await expect(page.getByTestId('instance').textContent()).resolves.toMatch(/pid \d+/);
    await page.getByText('Order confirmed').first().waitFor({ timeout: SAGA_TIMEOUT_MS });
    await expectAccessible(page);
    await screenshot(page, 'order-confirmed');

    // The cart was emptied by the order; my orders lists it.
    await expect(page.getByTestId('cart-count').textContent()).resolves.toBe('0');
    await page.goto(`${STOREFRONT}/orders`);
    await page.getByRole('link', { name: `#${orderId.slice(0, 8).toUpperCase()}` }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'orders');
  });

  it('a declined payment shows the compensation and CANCELLED', async () => {
    if (!PAYMENT_TEST_CONTROLS) {
      console.warn('skipped: the decline choice is a test control (test profile only)');
      return;
    }
    const product = await createProduct(adminClient, { stock: 5, amountMinor: 1200 });
    const page = await person();
    await signIn(page, await registerCustomer('Declined Browser'));
    await buy(page, product, { quantity: 2, decline: true });
    await waitForStatus(page, 'CANCELLED');
    const steps = await stepsOnPage(page);
    expect(steps).toEqual(
      expect.arrayContaining(['authorize_payment:failed', 'release_stock:compensated']),
    );
    await expect(page.getByTestId('cancel-reason').textContent()).resolves.toMatch(
      /payment declined/,
    );
    await expect(page.getByTestId('cancel').count()).resolves.toBe(0);
    await screenshot(page, 'order-declined');
    const after = await anonymous().get<ProductView>(`/api/v1/products/${product.id}`);
    expect(after.body.stock.available).toBe(5);
  });

  it('cancelling a confirmed order shows the refund and the restock', async () => {
    const product = await createProduct(adminClient, { stock: 4, amountMinor: 3000 });
    const page = await person();
    await signIn(page, await registerCustomer('Cancelling Browser'));
    await buy(page, product, { quantity: 3 });
    await waitForStatus(page, 'CONFIRMED');
    await page.getByLabel(/Reason for cancelling/).fill('changed my mind');
    await page.getByTestId('cancel').click();
    await waitForStatus(page, 'CANCELLED');
    await waitFor(
      async () => {
        const steps = await stepsOnPage(page);
        return steps.includes('refund_payment:compensated') &&
          steps.includes('restock_stock:compensated')
          ? steps
          : undefined;
      },
      { timeoutMs: SAGA_TIMEOUT_MS, what: 'refund and restock on the page' },
    );
    await page.getByText('Refund issued').first().waitFor({ timeout: SAGA_TIMEOUT_MS });
    await screenshot(page, 'order-refunded');
    const after = await anonymous().get<ProductView>(`/api/v1/products/${product.id}`);
    expect(after.body.stock.available).toBe(4);
  });

  it('a product page says so when inventory is down, instead of failing', async () => {
    const product = await createProduct(adminClient, { stock: 7, amountMinor: 800 });
    const page = await person();
    await stopComponent('inventory');
    try {
      await page.goto(`${STOREFRONT}/products/${product.id}`);
      await expect(page.getByTestId('degraded').textContent()).resolves.toContain(
        'Stock information is unavailable',
      );
      await expect(page.getByTestId('stock').textContent()).resolves.toContain('unknown');
      await expectAccessible(page);
      await screenshot(page, 'product-degraded');
    } finally {
      await startComponent('inventory');
    }
    // Back once product's breaker towards inventory lets a probe through again.
    await waitFor(
      async () => {
        await page.reload();
        const stock = await page.getByTestId('stock').textContent();
        return stock?.includes('7 available') ? stock : undefined;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 2_000,
        what: 'the stock shown again after inventory restarts',
      },
    );
  });

  it('a customer cannot see another customer’s order', async () => {
    const product = await createProduct(adminClient, { stock: 3, amountMinor: 500 });
    const owner = await person();
    await signIn(owner, await registerCustomer('Owner Browser'));
    const orderId = await buy(owner, product);
    await waitForStatus(owner, 'CONFIRMED');

    const other = await person();
    await signIn(other, await registerCustomer('Other Browser'));
    const response = await other.goto(`${STOREFRONT}/orders/${orderId}`);
    expect(response?.status()).toBe(404);
    await expect(other.getByTestId('error').textContent()).resolves.toContain('could not find');
    await expect(other.getByText(product.name).count()).resolves.toBe(0);
  });

  it('admin pages set stock and prices through the API', async () => {
    const product = await createProduct(adminClient, { stock: 1, amountMinor: 1000 });
    const page = await person();
    await signIn(page, {
      email: process.env['ORDERMESH_ADMIN_EMAIL'] || 'admin@ordermesh.local',
      password: process.env['ORDERMESH_ADMIN_PASSWORD'] || 'ordermesh-admin-local',
    });
    await page.goto(`${STOREFRONT}/admin`);
    await expectAccessible(page);
    await screenshot(page, 'admin');
    await page.getByLabel('Find products by name').fill(product.name);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByLabel(`Stock of ${product.name}`).fill('42');
    await page.getByRole('button', { name: `Set stock of ${product.name}` }).click();
    await page.getByRole('status').filter({ hasText: 'stock set to 42' }).waitFor();
    await page.goto(`${STOREFRONT}/admin?q=${encodeURIComponent(product.name)}`);
    await page.getByLabel(`List price of ${product.name}`).fill('12.50');
    await page.getByLabel(`Discount in percent for ${product.name}`).fill('10');
    await page.getByRole('button', { name: `Set price of ${product.name}` }).click();
    await page.getByRole('status').filter({ hasText: 'price set' }).waitFor();
    const after = await anonymous().get<ProductView>(`/api/v1/products/${product.id}`);
    expect(after.body.stock.available).toBe(42);
    expect(after.body.price.unitPrice).toEqual({ amountMinor: 1125, currency: 'EUR' });

    // A customer is refused the admin pages.
    const customerPage = await person();
    await signIn(customerPage, await registerCustomer('Not Admin'));
    const refused = await customerPage.goto(`${STOREFRONT}/admin`);
    expect(refused?.status()).toBe(403);
  });

  it('works on a phone-sized screen', async () => {
    const page = await person({ width: 390, height: 844 });
    await page.goto(`${STOREFRONT}/`);
    const overflow = await page.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    // The skip link is the first stop of the keyboard and moves to the content.
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe(
      'Skip to content',
    );
    await expectAccessible(page);
    await screenshot(page, 'catalogue-phone');
  });
});

const tokens = new Map<string, string>();
async function tokenOf(customer: Customer): Promise<string> {
  const known = tokens.get(customer.email);
  if (known) return known;
  const login = await anonymous().post<{ accessToken: string }>('/api/v1/auth/login', {
    email: customer.email,
    password: customer.password,
  });
  tokens.set(customer.email, login.body.accessToken);
  return login.body.accessToken;
}
