import { notificationId } from './notification-ids';

const EVENT = '6f1c1e0e-8a59-4c41-9a3a-0f7c4f2f8a01';
const USER = '0b7e3b0a-4a4c-4a55-8c0c-4b8f5f0e9b02';

describe('notificationId', () => {
  it('is a stable version-5-style UUID per (event, user)', () => {
    const id = notificationId(EVENT, USER);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(notificationId(EVENT, USER)).toBe(id);
  });

  it('differs for another event or user', () => {
    const id = notificationId(EVENT, USER);
    expect(notificationId(USER, USER)).not.toBe(id);
    expect(notificationId(EVENT, EVENT)).not.toBe(id);
  });
});
