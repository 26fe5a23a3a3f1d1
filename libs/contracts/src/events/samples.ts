import type { EventDataInput, EventType } from './catalog';

// Valid `data` for every event type, used by the specs (typed exhaustively: a new event type
// needs a sample). Not exported from the package index.
const ORDER = '6f1c1e0e-8a59-4c41-9a3a-0f7c4f2f8a01';
const CUSTOMER = '0b7e3b0a-4a4c-4a55-8c0c-4b8f5f0e9b02';
const PRODUCT = 'd7b9a0e2-5c55-4f6e-9a1f-2f0d9e6a7c03';
const PAYMENT = '3a9e8b7c-1d2e-4f3a-8b4c-5d6e7f8a9b04';
const SHIPMENT = '9c8b7a6d-5e4f-4a3b-9c2d-1e0f9a8b7c05';
const RESERVATION = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c06';
const AT = '2026-11-25T12:00:00.000Z';
const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });
const address = {
  recipientName: 'Ada Lovelace',
  line1: 'Hauptstr. 1',
  line2: '',
  city: 'Berlin',
  region: '',
  postalCode: '10115',
  countryCode: 'DE',
};

export const IDS = { ORDER, CUSTOMER, PRODUCT, PAYMENT, SHIPMENT, RESERVATION } as const;

export const samples: { [T in EventType]: EventDataInput<T> } = {
  'user.registered.v1': {
    userId: CUSTOMER,
    email: 'ada@example.com',
    name: 'Ada',
    role: 'CUSTOMER',
    registeredAt: AT,
  },
  'price.changed.v1': {
    productId: PRODUCT,
    listPrice: eur(2000),
    discountBps: 1000,
    unitPrice: eur(1800),
    changedAt: AT,
  },
  'order.placed.v1': {
    orderId: ORDER,
    customerId: CUSTOMER,
    lines: [
      { productId: PRODUCT, name: 'Mug', quantity: 2, unitPrice: eur(1800), lineTotal: eur(3600) },
    ],
    total: eur(3600),
    paymentMethod: 'card',
    shippingAddress: address,
    placedAt: AT,
  },
  'order.confirmed.v1': {
    orderId: ORDER,
    customerId: CUSTOMER,
    lines: [{ productId: PRODUCT, quantity: 2 }],
    total: eur(3600),
    shippingAddress: address,
    confirmedAt: AT,
  },
  'order.cancelled.v1': {
    orderId: ORDER,
    customerId: CUSTOMER,
    reason: 'out_of_stock',
    previousStatus: 'PENDING',
    cancelledAt: AT,
  },
  'payment.authorized.v1': {
    paymentId: PAYMENT,
    orderId: ORDER,
    customerId: CUSTOMER,
    amount: eur(3600),
    paymentMethod: 'card',
    authorizedAt: AT,
  },
  'payment.captured.v1': {
    paymentId: PAYMENT,
    orderId: ORDER,
    customerId: CUSTOMER,
    amount: eur(3600),
    capturedAt: AT,
  },
  'payment.declined.v1': {
    paymentId: PAYMENT,
    orderId: ORDER,
    customerId: CUSTOMER,
    amount: eur(3600),
    paymentMethod: 'test-decline',
    reason: 'insufficient_funds',
    declinedAt: AT,
  },
  'payment.refunded.v1': {
    paymentId: PAYMENT,
    orderId: ORDER,
    customerId: CUSTOMER,
    kind: 'VOID',
    amount: eur(3600),
    reason: 'order cancelled',
    refundedAt: AT,
  },
  'stock.released.v1': {
    reservationId: RESERVATION,
    orderId: ORDER,
    cause: 'EXPIRED',
    reason: 'expired',
    lines: [{ productId: PRODUCT, quantity: 2 }],
    releasedAt: AT,
  },
  'shipment.created.v1': {
    shipmentId: SHIPMENT,
    orderId: ORDER,
    customerId: CUSTOMER,
    address,
    createdAt: AT,
  },
  'shipment.shipped.v1': {
    shipmentId: SHIPMENT,
    orderId: ORDER,
    customerId: CUSTOMER,
    trackingNumber: 'OM123456789',
    shippedAt: AT,
  },
  'shipment.delivered.v1': {
    shipmentId: SHIPMENT,
    orderId: ORDER,
    customerId: CUSTOMER,
    trackingNumber: 'OM123456789',
    deliveredAt: AT,
  },
};
