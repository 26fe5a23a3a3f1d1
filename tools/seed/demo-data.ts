// The demo data `make seed` loads. Prices in integer minor units (EUR cents).

export const DEFAULT_ADMIN_EMAIL = 'admin@ordermesh.local';
export const DEFAULT_ADMIN_PASSWORD = 'ordermesh-admin-local';

/** The local-only admin: ORDERMESH_ADMIN_EMAIL / ORDERMESH_ADMIN_PASSWORD, with local defaults. */
export function adminCredentials(env: NodeJS.ProcessEnv): { email: string; password: string } {
  return {
    email: env['ORDERMESH_ADMIN_EMAIL'] || DEFAULT_ADMIN_EMAIL,
    password: env['ORDERMESH_ADMIN_PASSWORD'] || DEFAULT_ADMIN_PASSWORD,
  };
}

export const DEMO_CUSTOMER = {
  email: 'demo@ordermesh.local',
  password: 'ordermesh-demo',
  name: 'Demo Customer',
};

const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });

export const CATALOGUE = [
  {
    name: 'Designing Data-Intensive Applications',
    category: 'books',
    description: 'Reliable, scalable, maintainable systems.',
    attributes: { author: 'Martin Kleppmann' },
    basePrice: eur(4599),
    stock: 40,
    discountBps: 0,
  },
  {
    name: 'Release It!',
    category: 'books',
    description: 'Stability patterns: circuit breakers, bulkheads, timeouts.',
    attributes: { author: 'Michael T. Nygard' },
    basePrice: eur(3899),
    stock: 25,
    discountBps: 1000,
  },
  {
    name: 'Site Reliability Engineering',
    category: 'books',
    description: 'How Google runs production systems.',
    attributes: { author: 'Beyer et al.' },
    basePrice: eur(4299),
    stock: 30,
    discountBps: 0,
  },
  {
    name: 'Mechanical Keyboard',
    category: 'electronics',
    description: 'Tenkeyless, hot-swappable switches.',
    attributes: { layout: 'ISO-DE' },
    basePrice: eur(12900),
    stock: 15,
    discountBps: 1500,
  },
  {
    name: 'USB-C Dock',
    category: 'electronics',
    description: 'Two displays, 100 W power delivery.',
    attributes: { ports: '11' },
    basePrice: eur(18999),
    stock: 10,
    discountBps: 0,
  },
  {
    name: 'Noise-Cancelling Headphones',
    category: 'electronics',
    description: 'Over-ear, 30 h battery.',
    attributes: { colour: 'black' },
    basePrice: eur(29900),
    stock: 8,
    discountBps: 2000,
  },
  {
    name: 'Pour-Over Coffee Set',
    category: 'home',
    description: 'Dripper, carafe and filters.',
    attributes: { material: 'glass' },
    basePrice: eur(3450),
    stock: 50,
    discountBps: 0,
  },
  {
    name: 'Desk Lamp',
    category: 'home',
    description: 'Dimmable, warm to cool white.',
    attributes: { power: '8 W' },
    basePrice: eur(5900),
    stock: 20,
    discountBps: 500,
  },
];
