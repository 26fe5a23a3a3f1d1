module.exports = { ...require('../../jest.preset.js'), displayName: 'product', rootDir: __dirname };
