import {
  type ShipmentStatusName,
  isRejection,
  newTrackingNumber,
  onOrderCancelled,
  statusChange,
} from './shipment-state';

const ALL: ShipmentStatusName[] = ['CREATED', 'SHIPPED', 'DELIVERED', 'CANCELLED'];

describe('statusChange', () => {
  it('moves forward CREATED -> SHIPPED -> DELIVERED and allows CREATED -> CANCELLED', () => {
    expect(statusChange('CREATED', 'SHIPPED')).toBe('ship');
    expect(statusChange('SHIPPED', 'DELIVERED')).toBe('deliver');
    expect(statusChange('CREATED', 'CANCELLED')).toBe('cancel');
  });

  it.each(ALL)('treats setting %s again as a no-op', (status) => {
    expect(statusChange(status, status)).toBe('noop');
  });

  it('rejects every other transition', () => {
    const allowed = new Set(['CREATED>SHIPPED', 'SHIPPED>DELIVERED', 'CREATED>CANCELLED']);
    for (const from of ALL) {
      for (const to of ALL) {
        if (from === to || allowed.has(`${from}>${to}`)) continue;
        const change = statusChange(from, to);
        expect(isRejection(change)).toBe(true);
      }
    }
    expect(statusChange('CREATED', 'DELIVERED')).toEqual({
      reject: 'a CREATED shipment cannot become DELIVERED',
    });
  });
});

describe('onOrderCancelled', () => {
  it('cancels only a shipment that has not left', () => {
    expect(onOrderCancelled('CREATED')).toBe('cancel');
    expect(onOrderCancelled('CANCELLED')).toBe('already');
    expect(onOrderCancelled('SHIPPED')).toBe('keep');
    expect(onOrderCancelled('DELIVERED')).toBe('keep');
  });
});

describe('newTrackingNumber', () => {
  it('is OM + 12 unambiguous base32 characters', () => {
    for (let i = 0; i < 50; i++) expect(newTrackingNumber()).toMatch(/^OM[0-9A-HJKMNP-TV-Z]{12}$/);
  });

  it('uses the injected randomness', () => {
    expect(newTrackingNumber(() => 0)).toBe('OM000000000000');
    expect(newTrackingNumber((max) => max - 1)).toBe('OMZZZZZZZZZZZZ');
  });
});
