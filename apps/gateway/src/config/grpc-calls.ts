/**
 * Every gRPC method the gateway calls, per downstream service. The clients refuse any other
 * method, and the Helm chart's AuthorizationPolicies and NetworkPolicies are checked against
 * this list, so the mesh allows exactly what the code does.
 */
export const grpcCalls = {
  user: [
    'RegisterUser',
    'CreateSession',
    'RefreshSession',
    'RevokeSession',
    'GetUser',
    'SetUserStatus',
  ],
  product: ['CreateProduct', 'UpdateProduct', 'GetProduct', 'GetProductView', 'ListProductViews'],
  inventory: ['SetStock'],
  pricing: ['SetPrice'],
  order: ['PlaceOrder', 'GetOrder', 'ListOrders', 'CancelOrder'],
  shipping: ['GetShipment'],
  notification: ['ListNotifications'],
} as const;
