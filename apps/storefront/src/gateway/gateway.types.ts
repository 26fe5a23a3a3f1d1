// The shapes of the gateway's public API answers that the pages read (see the gateway's OpenAPI
// document at /api/docs); only the fields the storefront uses.

export interface Money {
  amountMinor: number;
  currency: string;
}

export interface ApiProduct {
  id: string;
  name: string;
  description: string;
  category: string;
  attributes: Record<string, string>;
  basePrice: Money;
  price: {
    unitPrice: Money | null;
    listPrice: Money | null;
    discountBps: number;
    available: boolean;
  };
  stock: { available: number; status: string };
  degraded: boolean;
}

export interface Page<T> {
  items: T[];
  nextPageToken: string | null;
}

export interface ProductPage extends Page<ApiProduct> {
  categories: string[];
}

export interface ApiUser {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'customer';
}

export interface LoginResult {
  accessToken: string;
  expiresIn: number;
  user: ApiUser;
}

export interface ApiOrderStep {
  step: string;
  status: 'started' | 'succeeded' | 'failed' | 'compensated';
  detail: string;
  at: string;
}

export interface ApiOrder {
  id: string;
  customerId: string;
  status: 'pending' | 'confirmed' | 'cancelled' | 'shipped';
  cancelReason: string | null;
  lines: {
    productId: string;
    name: string;
    quantity: number;
    unitPrice: Money;
    lineTotal: Money;
  }[];
  total: Money;
  paymentMethod: string;
  shippingAddress: Record<string, string> | null;
  steps: ApiOrderStep[];
  createdAt: string;
  updatedAt: string;
  traceId: string | null;
}

export interface ApiShipment {
  shipmentId: string;
  orderId: string;
  status: string;
  trackingNumber: string;
  createdAt: string;
  updatedAt: string;
}

export interface ApiNotification {
  notificationId: string;
  kind: string;
  title: string;
  body: string;
  createdAt: string;
}
