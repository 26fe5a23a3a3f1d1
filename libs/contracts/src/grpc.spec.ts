import { existsSync } from 'node:fs';
import path from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import * as generated from './generated';
import {
  GRPC_LOADER_OPTIONS,
  GRPC_SERVICES,
  type GrpcApi,
  PROTO_ROOT,
  grpcServiceName,
  grpcTransportOptions,
  protoFiles,
} from './grpc';

const APIS = Object.keys(GRPC_SERVICES) as GrpcApi[];

type MethodDefinition = protoLoader.MethodDefinition<object, object>;

describe('proto helpers', () => {
  it('resolves PROTO_ROOT to libs/contracts/proto', () => {
    expect(PROTO_ROOT).toBe(path.resolve(__dirname, '..', 'proto'));
  });

  it.each(APIS)('loads %s with the shared loader options', (api) => {
    const [file] = protoFiles(api);
    expect(existsSync(file as string)).toBe(true);
    const definition = protoLoader.loadSync(file as string, GRPC_LOADER_OPTIONS);
    expect(definition[grpcServiceName(api)]).toBeDefined();
  });

  it('matches the generated <SERVICE>_SERVICE_NAME constants', () => {
    const constants = generated as unknown as Record<string, unknown>;
    for (const api of APIS) {
      const { service } = GRPC_SERVICES[api];
      const constant = `${service.replace(/Service$/, '').toUpperCase()}_SERVICE_NAME`;
      expect(constants[constant]).toBe(service);
    }
  });

  it('builds Nest transport options', () => {
    const options = grpcTransportOptions('order', 'health');
    expect(options.package).toEqual(['ordermesh.order.v1', 'grpc.health.v1']);
    expect(options.protoPath.map((p) => path.relative(PROTO_ROOT, p))).toEqual([
      'ordermesh/order/v1/order.proto',
      'grpc/health/v1/health.proto',
    ]);
  });

  it('maps int64 to number, enums to numbers and unset messages to null', () => {
    const definition = protoLoader.loadSync(protoFiles('payment'), GRPC_LOADER_OPTIONS);
    const service = definition[grpcServiceName('payment')] as Record<string, MethodDefinition>;
    const authorize = service['AuthorizePayment'] as MethodDefinition;
    const request: generated.AuthorizePaymentRequest = {
      orderId: 'o',
      customerId: 'c',
      amount: { amountMinor: 2 ** 52, currency: 'EUR' },
      paymentMethod: 'card',
    };
    expect(authorize.requestDeserialize(authorize.requestSerialize(request))).toEqual(request);

    const payment: Partial<generated.Payment> = { status: generated.PaymentStatus.DECLINED };
    const decoded = authorize.responseDeserialize(authorize.responseSerialize({ payment })) as {
      payment: generated.Payment;
    };
    expect(decoded.payment.status).toBe(generated.PaymentStatus.DECLINED);
    expect(decoded.payment.amount).toBeNull();
    expect(decoded.payment.orderId).toBe('');
  });
});
