// Runs the cluster specs in the order of their file names (01-…, 02-…): each builds on the last.
const Sequencer = require('@jest/test-sequencer').default;

module.exports = class FileNameOrder extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => a.path.localeCompare(b.path));
  }
};
