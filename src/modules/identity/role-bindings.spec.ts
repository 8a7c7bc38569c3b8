import { BINDING_FIELDS, RoleBindings } from './role-bindings';

describe('RoleBindings', () => {
  const registerAll = (b: RoleBindings, known: string) => {
    for (const field of BINDING_FIELDS) {
      b.register(field, async (v) => v === known);
    }
  };

  it('answers through the check the owning module registered', async () => {
    const b = new RoleBindings();
    registerAll(b, 'K');
    await expect(b.exists('hostId', 'K')).resolves.toBe(true);
    await expect(b.exists('hostId', 'other')).resolves.toBe(false);
    expect(() => b.assertComplete()).not.toThrow();
  });

  it('refuses a second check for one field', () => {
    const b = new RoleBindings();
    b.register('organizationId', async () => true);
    expect(() => b.register('organizationId', async () => true)).toThrow(
      'organizationId is already checked by another module',
    );
  });

  it('names the fields no module checks, so the app does not start without them', async () => {
    const b = new RoleBindings();
    b.register('regionCode', async () => true);
    b.register('supplierId', async () => true);
    expect(() => b.assertComplete()).toThrow(
      'No module checks the user bindings organizationId, hostId (the module that owns the records registers a check with RoleBindings)',
    );
    await expect(b.exists('hostId', 'H')).rejects.toThrow('No module checks the user binding hostId');
  });
});
