module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'storefront',
  rootDir: __dirname,
};
