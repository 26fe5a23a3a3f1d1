import { Injectable } from '@nestjs/common';
import { Metrics } from '@ordermesh/observability';
import type { ShipmentStatusName } from './shipment-state';

@Injectable()
export class ShipmentMetrics {
  private readonly transitions;

  constructor(metrics: Metrics) {
    this.transitions = metrics.counter(
      'ordermesh_shipments_total',
      'Shipments that reached a status (CREATED, SHIPPED, DELIVERED, CANCELLED)',
      ['status'],
    );
  }

  reached(status: ShipmentStatusName): void {
    this.transitions.inc({ status });
  }
}
