import type { z } from 'zod';
import type { ServiceName } from '../services';
import { ORDER_CANCELLED_V1, orderCancelledV1Schema } from './order.cancelled.v1';
import { ORDER_CONFIRMED_V1, orderConfirmedV1Schema } from './order.confirmed.v1';
import { ORDER_PLACED_V1, orderPlacedV1Schema } from './order.placed.v1';
import { PAYMENT_AUTHORIZED_V1, paymentAuthorizedV1Schema } from './payment.authorized.v1';
import { PAYMENT_CAPTURED_V1, paymentCapturedV1Schema } from './payment.captured.v1';
import { PAYMENT_DECLINED_V1, paymentDeclinedV1Schema } from './payment.declined.v1';
import { PAYMENT_REFUNDED_V1, paymentRefundedV1Schema } from './payment.refunded.v1';
import { PRICE_CHANGED_V1, priceChangedV1Schema } from './price.changed.v1';
import { SHIPMENT_CREATED_V1, shipmentCreatedV1Schema } from './shipment.created.v1';
import { SHIPMENT_DELIVERED_V1, shipmentDeliveredV1Schema } from './shipment.delivered.v1';
import { SHIPMENT_SHIPPED_V1, shipmentShippedV1Schema } from './shipment.shipped.v1';
import { STOCK_RELEASED_V1, stockReleasedV1Schema } from './stock.released.v1';
import { USER_REGISTERED_V1, userRegisteredV1Schema } from './user.registered.v1';

type StringKeys<T> = { [K in keyof T]-?: T[K] extends string ? K : never }[keyof T] & string;

export interface EventDefinition<T extends string = string, S extends z.ZodObject = z.ZodObject> {
  readonly type: T;
  /** Kafka topic; by convention the event type itself. */
  readonly topic: T;
  /** zod schema of `data`. */
  readonly schema: S;
  readonly partitions: number;
  readonly producer: ServiceName;
  /** Services that subscribe (consumer group = service name); empty = published for audit only. */
  readonly consumers: readonly ServiceName[];
  /** `data` field used as the Kafka key (ordering per aggregate). */
  readonly keyField: StringKeys<z.output<S>>;
  readonly purpose: string;
}

function defineEvent<const T extends string, S extends z.ZodObject>(
  definition: Omit<EventDefinition<T, S>, 'topic'>,
): EventDefinition<T, S> {
  return { ...definition, topic: definition.type };
}

const definitions = [
  defineEvent({
    type: USER_REGISTERED_V1,
    schema: userRegisteredV1Schema,
    partitions: 3,
    producer: 'user',
    consumers: ['notification'],
    keyField: 'userId',
    purpose: 'Welcome notification.',
  }),
  defineEvent({
    type: PRICE_CHANGED_V1,
    schema: priceChangedV1Schema,
    partitions: 3,
    producer: 'pricing',
    consumers: [],
    keyField: 'productId',
    purpose: 'Price history for analytics; product views read prices live, so nothing caches them.',
  }),
  defineEvent({
    type: ORDER_PLACED_V1,
    schema: orderPlacedV1Schema,
    partitions: 3,
    producer: 'order',
    consumers: ['notification'],
    keyField: 'orderId',
    purpose: 'Order received (PENDING) notification.',
  }),
  defineEvent({
    type: ORDER_CONFIRMED_V1,
    schema: orderConfirmedV1Schema,
    partitions: 3,
    producer: 'order',
    consumers: ['shipping', 'notification'],
    keyField: 'orderId',
    purpose: 'Shipping creates the shipment; confirmation notification.',
  }),
  defineEvent({
    type: ORDER_CANCELLED_V1,
    schema: orderCancelledV1Schema,
    partitions: 3,
    producer: 'order',
    consumers: ['shipping', 'notification'],
    keyField: 'orderId',
    purpose: 'Shipping cancels a not yet shipped shipment; cancellation notification.',
  }),
  defineEvent({
    type: PAYMENT_AUTHORIZED_V1,
    schema: paymentAuthorizedV1Schema,
    partitions: 3,
    producer: 'payment',
    consumers: [],
    keyField: 'orderId',
    purpose: 'Audit trail (the order service gets the result synchronously).',
  }),
  defineEvent({
    type: PAYMENT_CAPTURED_V1,
    schema: paymentCapturedV1Schema,
    partitions: 3,
    producer: 'payment',
    consumers: [],
    keyField: 'orderId',
    purpose: 'Audit trail.',
  }),
  defineEvent({
    type: PAYMENT_DECLINED_V1,
    schema: paymentDeclinedV1Schema,
    partitions: 3,
    producer: 'payment',
    consumers: [],
    keyField: 'orderId',
    purpose: 'Audit trail (the customer learns it from order.cancelled.v1).',
  }),
  defineEvent({
    type: PAYMENT_REFUNDED_V1,
    schema: paymentRefundedV1Schema,
    partitions: 3,
    producer: 'payment',
    consumers: ['notification'],
    keyField: 'orderId',
    purpose: 'Refund / void notification.',
  }),
  defineEvent({
    type: STOCK_RELEASED_V1,
    schema: stockReleasedV1Schema,
    partitions: 3,
    producer: 'inventory',
    consumers: ['order'],
    keyField: 'orderId',
    purpose: 'Order cancels a PENDING order whose reservation EXPIRED.',
  }),
  defineEvent({
    type: SHIPMENT_CREATED_V1,
    schema: shipmentCreatedV1Schema,
    partitions: 3,
    producer: 'shipping',
    consumers: ['order'],
    keyField: 'orderId',
    purpose: 'Order records the create_shipment step.',
  }),
  defineEvent({
    type: SHIPMENT_SHIPPED_V1,
    schema: shipmentShippedV1Schema,
    partitions: 3,
    producer: 'shipping',
    consumers: ['order', 'notification'],
    keyField: 'orderId',
    purpose: 'Order moves to SHIPPED; shipped notification with tracking number.',
  }),
  defineEvent({
    type: SHIPMENT_DELIVERED_V1,
    schema: shipmentDeliveredV1Schema,
    partitions: 3,
    producer: 'shipping',
    consumers: ['notification'],
    keyField: 'orderId',
    purpose: 'Delivered notification.',
  }),
] as const;

type Definitions = (typeof definitions)[number];

export type EventCatalog = { readonly [D in Definitions as D['type']]: D };

/** Every Kafka event: type -> schema, topic, partitions, producer, consumers, key. */
export const eventCatalog = Object.freeze(
  Object.fromEntries(definitions.map((definition) => [definition.type, definition])),
) as EventCatalog;

export type EventType = keyof EventCatalog;

/** Validated (output) type of an event's `data`. */
export type EventData<T extends EventType> = z.output<EventCatalog[T]['schema']>;

/** Accepted input type of an event's `data` for createEvent. */
export type EventDataInput<T extends EventType> = z.input<EventCatalog[T]['schema']>;

export const EVENT_TYPES = definitions.map((definition) => definition.type) as readonly EventType[];

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(eventCatalog, value);
}

export function getEventDefinition(type: EventType): EventDefinition {
  return eventCatalog[type] as EventDefinition;
}

/** Dead-letter topic of a topic: `<topic>.dlq` (created by the platform next to every topic). */
export function dlqTopic(topic: string): string {
  return `${topic}.dlq`;
}

export function eventsProducedBy(service: ServiceName): EventType[] {
  return EVENT_TYPES.filter((type) => getEventDefinition(type).producer === service);
}

export function eventsConsumedBy(service: ServiceName): EventType[] {
  return EVENT_TYPES.filter((type) => getEventDefinition(type).consumers.includes(service));
}

export interface TopicSpec {
  name: string;
  partitions: number;
}

/**
 * Content of topics.json, sorted by name: the event topics only. The platform creates each topic
 * and its `<topic>.dlq` (same partition count), since Kafka auto-creation is off.
 */
export function topicSpecs(): TopicSpec[] {
  return EVENT_TYPES.map((type) => {
    const { topic, partitions } = getEventDefinition(type);
    return { name: topic, partitions };
  }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
