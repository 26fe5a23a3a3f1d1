// Unit tests of every app and lib in one run (`make unit`); e2e projects run separately.
const { globSync } = require('node:fs');

module.exports = {
  projects: globSync('{apps,libs}/*/jest.config.js', { cwd: __dirname })
    .filter((p) => !p.includes('-e2e'))
    .map((p) => `<rootDir>/${p}`),
};
