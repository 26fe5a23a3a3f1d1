import { LazyConnection } from './connection';

function client(failures: number) {
  let calls = 0;
  return {
    connect: jest.fn(async () => {
      calls += 1;
      if (calls <= failures) throw new Error(`refused ${calls}`);
    }),
    disconnect: jest.fn(async () => undefined),
  };
}

describe('LazyConnection', () => {
  it('connects once on first use and shares the connection', async () => {
    const c = client(0);
    const lazy = new LazyConnection(c);
    expect(c.connect).not.toHaveBeenCalled();
    await Promise.all([lazy.get(), lazy.get()]);
    await lazy.get();
    expect(c.connect).toHaveBeenCalledTimes(1);
  });

  it('tries again after a failed connect', async () => {
    const c = client(1);
    const lazy = new LazyConnection(c);
    await expect(lazy.get()).rejects.toThrow('refused 1');
    await expect(lazy.get()).resolves.toBe(c);
    expect(c.connect).toHaveBeenCalledTimes(2);
  });

  it('disconnects on close only when connected, and refuses later use', async () => {
    const never = client(0);
    await new LazyConnection(never).close();
    expect(never.disconnect).not.toHaveBeenCalled();

    const used = client(0);
    const lazy = new LazyConnection(used);
    await lazy.get();
    await lazy.close();
    expect(used.disconnect).toHaveBeenCalledTimes(1);
    await expect(lazy.get()).rejects.toThrow('closed');
  });
});
