// jest.chaos.config.js: the full chaos suite unless CHAOS_MODE says otherwise.
process.env['CHAOS_MODE'] ??= 'full';
