/** Removes the run's temporary folder (jest.global-setup.cjs). */
const fs = require('node:fs');

module.exports = async function globalTeardown() {
  const root = process.env.TRAINLINT_TEST_TMP_ROOT;
  if (root && !process.env.TRAINLINT_KEEP_TEST_TMP) fs.rmSync(root, { recursive: true, force: true });
};
