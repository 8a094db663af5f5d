import { startModeOf, StartUsageError } from '../src/start-args';

const services = { FICUS_MODE: 'services' as const };

describe('npm start arguments', () => {
  it('runs the services by default, and the monolith with --monolith or FICUS_MODE=monolith', () => {
    expect(startModeOf([], services)).toEqual({});
    expect(startModeOf(['--monolith'], services)).toEqual({ monolith: { extract: [] } });
    expect(startModeOf([], { FICUS_MODE: 'monolith' })).toEqual({ monolith: { extract: [] } });
  });

  it('extracts the modules --extract or FICUS_MONOLITH_EXTRACT names, the command line winning', () => {
    expect(startModeOf(['--monolith', '--extract', 'orders'], services)).toEqual({ monolith: { extract: ['orders'] } });
    expect(startModeOf(['--monolith', '--extract', 'orders,payments', '--extract', 'orders'], services)).toEqual({ monolith: { extract: ['orders', 'payments'] } });
    expect(startModeOf([], { FICUS_MODE: 'monolith', FICUS_MONOLITH_EXTRACT: 'payments' })).toEqual({ monolith: { extract: ['payments'] } });
    expect(startModeOf(['--monolith', '--extract=orders'], { FICUS_MODE: 'monolith', FICUS_MONOLITH_EXTRACT: 'payments' })).toEqual({ monolith: { extract: ['orders'] } });
  });

  it('refuses unknown arguments, --extract without --monolith and names that are not module names, with the usage', () => {
    expect(() => startModeOf(['--monolit'], services)).toThrow(StartUsageError);
    expect(() => startModeOf(['--extract', 'orders'], services)).toThrow(/--extract needs --monolith/);
    expect(() => startModeOf(['--monolith', '--extract', '../etc'], services)).toThrow(/usage: npm start/);
    expect(() => startModeOf(['--monolith', '--extract'], services)).toThrow(StartUsageError);
  });
});
